"""Sanic 21.12 (pinned by Rasa 3.6): a Content-Length that is not plain digits
hangs the whole server.

What it replaces: `Http.http1_request_header` reads the body length with
`int(headers["content-length"])`. `int()` accepts "-1", "+5", " 5", "5_0" and
non-ASCII digits; with -1 the body reader loops for ever at 100 % CPU, before
any handler or authentication runs. One such request stopped the Rasa server
and the action server for everyone (found by trying it from outside).

CheckedHttp lets Sanic parse the header as before, then refuses any length
that is not ASCII digits with 400 and closes the connection, leaving no body
to read. (A subclass, not a wrapper: Sanic recompiles Http's own methods from
their source at start, "touchup", which would lose a wrapper's closure.) Every
server of the product installs it (bot/rasa_server.py, bot/action_server.py,
the console).

german_errors() answers what Sanic refuses itself (413, an unknown path, a
wrong method, a malformed request) and any unexpected error as JSON with a
short German reason, instead of Sanic's English text or HTML page.
"""

from __future__ import annotations

import logging

from sanic import Sanic, response
from sanic.exceptions import InvalidUsage, SanicException
from sanic.http import Http

from bot.channels.edge import REASONS

logger = logging.getLogger(__name__)


class CheckedHttp(Http):
    async def http1_request_header(self) -> None:
        await super().http1_request_header()
        if self.request_body is True:
            raw = self.request.headers.getone("content-length", "")
            if not (raw.isascii() and raw.isdigit()):
                self.request_body = False
                self.request_bytes_left = self.request_bytes = 0
                self.keep_alive = False
                raise InvalidUsage("Bad Request")


def install() -> None:
    import sanic.server.protocols.http_protocol as http_protocol

    http_protocol.Http = CheckedHttp  # HttpProtocol.connection_made creates one per connection


_BY_STATUS = {
    400: ("invalid", "Die Anfrage ist ungültig."),
    404: ("not_found", "Diese Adresse gibt es nicht."),
    405: ("method", "Diese Anfrage ist hier nicht möglich."),
    413: ("too_large", REASONS["too_large"]),
}


_FAILED = ("error", "Da ist etwas schiefgegangen.")


def german_errors(app: Sanic) -> Sanic:
    @app.exception(Exception)
    async def refused(request, exception: Exception):
        if isinstance(exception, SanicException):
            status = getattr(exception, "status_code", 500) or 500
        else:  # a bug below a route: logged (masked), answered in German
            logger.error("request failed: %s", type(exception).__name__, exc_info=exception)
            status = 500
        code, reason = _BY_STATUS.get(status) or (_BY_STATUS[400] if status < 500 else _FAILED)
        return response.json({"error": reason, "code": code}, status=status)

    return app
