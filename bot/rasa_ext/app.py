"""Rasa's Sanic app, answering refused requests in German JSON.

What it replaces: a body over the size limit (SANIC_REQUEST_MAX_SIZE, set by
bot/rasa_server.py) got Sanic's English HTML error page, and other framework
errors (a malformed request line, an unknown path) its English text. Clients of
the REST channel get JSON with a short German reason instead, like the
channel's own refusals (bot/channels/rest.py). The handler itself is
bot/sanic_fix.german_errors, shared with the console.
"""

from __future__ import annotations

from typing import Any

from sanic import Sanic

from bot.sanic_fix import german_errors


def install() -> None:
    import rasa.core.run as run

    original = run.configure_app
    if getattr(original, "guarded", False):
        return

    def configure_app(*args: Any, **kwargs: Any) -> Sanic:
        return german_errors(original(*args, **kwargs))

    configure_app.guarded = True  # type: ignore[attr-defined]
    run.configure_app = configure_app
