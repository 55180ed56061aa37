"""Rasa's Sanic app, answering refused requests in German JSON.

What it replaces: a body over the size limit (SANIC_REQUEST_MAX_SIZE, set by
bot/rasa_server.py) got Sanic's English HTML error page, and other framework
errors (a malformed request line, an unknown path) its English text. Clients of
the REST channel get JSON with a short German reason instead, like the
channel's own refusals (bot/channels/rest.py). The handler itself is
bot/sanic_fix.german_errors, shared with the console.

And once the model is loaded, everything that exists then (the model, the
domain, TensorFlow, spaCy: millions of objects that live as long as the
process) is moved out of the garbage collector's reach (`gc.freeze`). Without
that, each full collection walked all of them again while customers waited;
under 50 simultaneous customers that cost about a quarter of the throughput.
"""

from __future__ import annotations

import gc
from typing import Any

from sanic import Sanic

from bot.sanic_fix import german_errors


def install() -> None:
    import rasa.core.run as run

    original = run.configure_app
    if getattr(original, "guarded", False):
        return

    def configure_app(*args: Any, **kwargs: Any) -> Sanic:
        app = german_errors(original(*args, **kwargs))
        # after_server_start: after Rasa's own before_server_start listener loaded the model.
        app.register_listener(freeze_what_was_loaded, "after_server_start")
        return app

    configure_app.guarded = True  # type: ignore[attr-defined]
    run.configure_app = configure_app


async def freeze_what_was_loaded(_app: Any, _loop: Any) -> None:
    gc.collect()
    gc.freeze()
