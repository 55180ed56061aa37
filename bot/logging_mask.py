"""A logging filter that masks personal data in every log line.

Rasa logs user texts and slot values (at DEBUG even the full tracker). Customer
numbers, phone numbers, postal codes and e-mail addresses must never reach a log
file unmasked, whatever the level, so the filter sits on the handlers.
"""

from __future__ import annotations

import logging
import re

from bot.nlu.numbers import mask_personal_numbers

_TOKEN = re.compile(r"(token=)[^&\s\"']+", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """The Rasa API token travels as ?token=...: never in a log line."""
    return _TOKEN.sub(r"\1***", text) if text else text


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = str(record.msg)
        masked = mask_secrets(mask_personal_numbers(message))
        if masked != message or record.args:
            record.msg, record.args = masked, None
        # Tracebacks are appended by the formatter from exc_text; fill it in
        # masked form so the formatter does not render the raw exception.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(mask_personal_numbers(record.exc_text))
        if record.stack_info:
            record.stack_info = mask_personal_numbers(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Attach the filter to all handlers of a logger (root by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
