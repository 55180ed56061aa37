"""Rasa's Sanic app, answering refused requests in German JSON.

What it replaces: a body over the size limit (SANIC_REQUEST_MAX_SIZE, set by
bot/rasa_server.py) got Sanic's English HTML error page, and other framework
errors (a malformed request line, an unknown path) its English text. Clients of
the REST channel get JSON with a short German reason instead, like the
channel's own refusals (bot/channels/rest.py).
"""

from __future__ import annotations

import logging
from typing import Any

from sanic import Sanic, response
from sanic.exceptions import SanicException

from bot.channels.edge import REASONS

logger = logging.getLogger(__name__)

_BY_STATUS = {
    413: ("too_large", REASONS["too_large"]),
    404: ("not_found", "Diese Adresse gibt es nicht."),
    405: ("method", "Diese Anfrage ist hier nicht möglich."),
}


def guard_app(app: Sanic) -> Sanic:
    @app.exception(Exception)
    async def refused(request, exception: Exception):
        if not isinstance(exception, SanicException):
            # A bug somewhere below a channel: logged (masked), answered in German.
            logger.error("request failed: %s", type(exception).__name__, exc_info=exception)
        status = getattr(exception, "status_code", 500) if isinstance(exception, SanicException) else 500
        status = status or 500
        code, reason = _BY_STATUS.get(status, ("invalid" if status < 500 else "error", None))
        if reason is None:
            reason = "Die Anfrage ist ungültig." if status < 500 else "Da ist etwas schiefgegangen."
        return response.json({"error": reason, "code": code}, status=status)

    return app


def install() -> None:
    import rasa.core.run as run

    original = run.configure_app
    if getattr(original, "guarded", False):
        return

    def configure_app(*args: Any, **kwargs: Any) -> Sanic:
        return guard_app(original(*args, **kwargs))

    configure_app.guarded = True  # type: ignore[attr-defined]
    run.configure_app = configure_app
