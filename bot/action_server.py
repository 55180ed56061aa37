"""The action server (rasa_sdk), reachable only by the Rasa server.

`rasa run actions` listens on 0.0.0.0 without any authentication, allows every
CORS origin, and answers an error with the whole request (the tracker, with the
customer's data) in the response body. A forged request from another machine
could run `action_ticket_status` for any customer number. This launcher runs
the same rasa_sdk app with three changes:

- it listens on 127.0.0.1 unless ACTION_SERVER_HOST says otherwise;
- every request except GET /health must carry `Authorization: Bearer <token>`
  with the shared secret ACTION_SERVER_TOKEN (compared in constant time); the
  Rasa server sends it through endpoints.yml (`headers:`). Without a token the
  server refuses to start;
- errors answer with the error's type only; no CORS headers.

    python -m bot.action_server --actions actions --port 5055 --logging-config-file logging.yml
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys

HEALTH_PATH = "/health"
MIN_TOKEN_CHARS = 16

logger = logging.getLogger(__name__)


def token_from_env(environ=os.environ) -> str | None:
    token = environ.get("ACTION_SERVER_TOKEN", "")
    return token if len(token) >= MIN_TOKEN_CHARS else None


def authorized(header: str | None, token: str) -> bool:
    scheme, _, value = (header or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(value.strip().encode(), token.encode())


def create_app(actions: str, token: str):
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from sanic import response

    app = create_sdk_app(actions, cors_origins=None)

    @app.on_request
    async def require_token(request):
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return None
        if not authorized(request.headers.get("authorization"), token):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.exception(Exception)
    async def failed(request, exception: Exception):
        # rasa_sdk's own handler echoes the request body (the tracker) back.
        logger.error("action request failed: %s", type(exception).__name__, exc_info=exception)
        return response.json({"error": type(exception).__name__}, status=500)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the action server, bound to 127.0.0.1 and token-protected")
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"))
    parser.add_argument("--logging-config-file", default=None)
    parser.add_argument("--debug", action="store_true", help="log at DEBUG (still masked)")
    args = parser.parse_args(argv)
    token = token_from_env()
    if token is None:
        print(
            f"ACTION_SERVER_TOKEN is missing or shorter than {MIN_TOKEN_CHARS} characters; "
            "the action server only runs with the shared secret the Rasa server sends.",
            file=sys.stderr,
        )
        return 2
    from bot.logging_mask import protect_process_output

    protect_process_output()
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME

    level = logging.DEBUG if args.debug else logging.INFO
    utils.configure_colored_logging(level)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), None, level, args.logging_config_file)
    utils.update_sanic_log_level()
    from bot import sanic_fix
    from bot.rasa_server import mask_sanic_logs

    mask_sanic_logs()
    sanic_fix.install()
    app = create_app(args.actions, token)
    logger.info("action server on http://%s:%s (token required)", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
