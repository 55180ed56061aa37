"""The Rasa launcher keeps the API token off the command line and out of logs."""

import io
import logging
import logging.config

import pytest

from bot.logging_mask import mask_secrets
from bot.rasa_server import mask_sanic_logs, rasa_arguments


def test_the_token_is_added_inside_the_process():
    assert rasa_arguments(["--port", "5005"], "s3cret-token-123456") == [
        "rasa",
        "run",
        "--port",
        "5005",
        "--enable-api",
        "--auth-token=s3cret-token-123456",
    ]


@pytest.mark.parametrize(
    "token", ["-abcdefghijklmnop", "--abcdefghijklmno", "-tabcdefghijklmno", "--port=1234567890", "a-b=c&d ef--gh-ij"]
)
def test_rasa_reads_any_token_as_the_token(token):
    """Rasa's own argument parser: a token starting with "-" (once in 64 random
    tokens) is not taken for an option."""
    from rasa.__main__ import create_argument_parser

    arguments = rasa_arguments(["--port", "5005", "--model", "models/current.tar.gz"], token)
    parsed = create_argument_parser().parse_args(arguments[1:])
    assert parsed.auth_token == token and parsed.enable_api and parsed.port == 5005


def test_tokens_in_urls_are_masked_in_log_lines():
    line = 'GET /conversations/abc/tracker?token=s3cret&include_events=ALL HTTP/1.1" 200'
    assert "s3cret" not in mask_secrets(line) and "token=***&include_events" in mask_secrets(line)


def test_sanic_access_log_lines_are_masked():
    from sanic.log import LOGGING_CONFIG_DEFAULTS

    mask_sanic_logs()
    logging.config.dictConfig(LOGGING_CONFIG_DEFAULTS)
    access = logging.getLogger("sanic.access")
    assert access.handlers
    written = io.StringIO()
    streams = [handler.setStream(written) for handler in access.handlers]
    try:
        access.setLevel(logging.INFO)
        access.info("GET /x?token=s3cret 4711000002", extra={"host": "h", "request": "r", "status": 200, "byte": 1})
    finally:
        for handler, stream in zip(access.handlers, streams, strict=True):
            handler.setStream(stream)
    assert "token=***" in written.getvalue()  # the line was written, masked
    assert "s3cret" not in written.getvalue() and "4711000002" not in written.getvalue()
