"""`rasa run` with its HTTP API enabled, the token taken from RASA_API_TOKEN.

Rasa only accepts the token as a command-line option, and a command line can be
read by every local user (`ps`). This launcher adds the option inside the
process, so the token never appears in the process list. Without a token it
refuses to start: the API must never run open.

It also prepares the process before Rasa starts:
- every output path is masked (bot/logging_mask.py);
- Rasa's behaviour is changed in the small ways bot/rasa_ext/ describes;
- request bodies are limited (SANIC_REQUEST_MAX_SIZE): a 20 MB message is
  refused with 413 before it is read, instead of freezing the server.
"""

from __future__ import annotations

import os
import sys

from bot.channels.edge import MAX_REQUEST_BYTES


def mask_sanic_logs() -> None:
    """Sanic configures its own log handlers (access log with full URLs, so with
    ?token=...) when Rasa creates the API app; they get the same filter as
    logging.yml's."""
    from sanic.log import LOGGING_CONFIG_DEFAULTS

    LOGGING_CONFIG_DEFAULTS.setdefault("filters", {})["mask"] = {"()": "bot.logging_mask.PersonalDataFilter"}
    for handler in LOGGING_CONFIG_DEFAULTS.get("handlers", {}).values():
        handler["filters"] = sorted(set(handler.get("filters", [])) | {"mask"})


def rasa_arguments(argv: list[str], token: str) -> list[str]:
    # "--auth-token=<token>", one word: a token that starts with "-" is never
    # mistaken for an option (secrets.token_urlsafe does that once in 64).
    return ["rasa", "run", *argv, "--enable-api", f"--auth-token={token}"]


def main() -> int:
    token = os.environ.get("RASA_API_TOKEN", "")
    if len(token) < 16:
        print("RASA_API_TOKEN is missing or shorter than 16 characters; the Rasa API needs a token.", file=sys.stderr)
        return 2
    from bot.logging_mask import protect_process_output

    protect_process_output()
    # Sanic reads SANIC_* variables into its config when Rasa creates the app.
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))
    # skops (which loads the intent classifier) scans every loaded module once at
    # import; imported before TensorFlow and Rasa that takes 1 s instead of 4 s.
    import skops.io  # noqa: F401
    from rasa.__main__ import main as rasa_main

    import bot.rasa_ext
    import bot.sanic_fix

    bot.sanic_fix.install()
    bot.rasa_ext.install()
    mask_sanic_logs()
    sys.argv = rasa_arguments(sys.argv[1:], token)
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
