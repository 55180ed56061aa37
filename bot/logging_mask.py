"""Masks personal data on every output path of a process: log lines, warnings,
and anything printed to stdout or stderr.

Rasa logs user texts and slot values (at DEBUG even the full tracker), prints
some errors with print(), and reports unparsable "/..." messages as Python
warnings. Customer numbers, phone numbers, postal codes and e-mail addresses
must never reach a log file unmasked, whatever the level or the path, so:
- PersonalDataFilter sits on the log handlers (logging.yml, Sanic's handlers);
- protect_process_output() also routes warnings into logging and wraps
  sys.stdout and sys.stderr in a masking stream. Every server entry point
  calls it (bot/rasa_server.py, bot/action_server.py, the console, the ticket
  worker).

Before matching, a line is brought into one form: escapes as JSON and repr()
write them ("\\u00fc", "\\uff14", "\\xfc") become the characters, and NFKC turns
fullwidth digits and non-breaking or thin spaces into plain ones. Otherwise
"４７１１…" or "0171 555 6667" with a no-break space would slip through.
"""

from __future__ import annotations

import atexit
import io
import logging
import re
import sys
import unicodedata
import warnings
from typing import TextIO

from bot.nlu.numbers import mask_personal_numbers

_TOKEN = re.compile(r"(token=)[^&\s\"']+", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\U([0-9a-fA-F]{8})")
# Numbers written with dots ("0171.555.6667", "4711.000.002"); dates and IPv4
# addresses keep their dots and are left as they are.
_DOTTED = re.compile(r"(?<![\w.+])\+?\d+(?:\.\d+)+(?![\w]|\.\d)")
_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_EMAIL = re.compile(r"[\w.+%'-]+@[\w-]+(?:\.[\w-]+)+")
# Timestamps of log lines ("2026-12-01 23:08:12,123", "2026-12-01T23:08:12.35Z") and server
# addresses with their port ("127.0.0.1:50667", "localhost:50667") stay readable.
_KEEP = re.compile(
    r"(?<!\d)\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
    r"|(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}(?!\d)|\blocalhost:\d{1,5}(?!\d)"
)


def mask_secrets(text: str) -> str:
    """The Rasa API token travels as ?token=...: never in a log line."""
    return _TOKEN.sub(r"\1***", text) if text else text


def _unescape(match: re.Match) -> str:
    code = int(next(g for g in match.groups() if g is not None), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return match.group()  # half of a surrogate pair (an emoji): nothing to find in it
    return chr(code)


def _dotted(match: re.Match) -> str:
    raw = match.group()
    digits = re.sub(r"\D", "", raw)
    groups = raw.lstrip("+").split(".")
    phone_like = raw.startswith(("+", "0")) and len(groups[0]) >= 3
    if _DATE.fullmatch(raw) or _IPV4.fullmatch(raw) or len(digits) < 7 or (len(groups) < 3 and not phone_like):
        return raw
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_text(text: str) -> str:
    """One line (or several) with personal data and secrets masked."""
    if not text:
        return text
    text = _ESCAPE.sub(_unescape, text) if "\\" in text else text
    text = unicodedata.normalize("NFKC", text)
    parts = _KEEP.split(text)
    if len(parts) > 1:
        kept = _KEEP.findall(text)
        return "".join(_mask_plain(part) + (kept[i] if i < len(kept) else "") for i, part in enumerate(parts))
    return _mask_plain(text)


def _mask_plain(text: str) -> str:
    text = _EMAIL.sub("<e-mail>", text)
    text = _DOTTED.sub(_dotted, text)
    return mask_secrets(mask_personal_numbers(text))


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = str(record.msg)
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        # Tracebacks are appended by the formatter from exc_text; fill it in
        # masked form so the formatter does not render the raw exception.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Attach the filter to all handlers of a logger (root by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())


class MaskingStream(io.TextIOBase):
    """A text stream that writes whole lines, masked, to the stream it wraps.

    Partial lines are held back until their end (print() writes its arguments
    one by one, so "4711" and "000002" may arrive apart); at most 16 KB is held."""

    MAX_PENDING = 16 * 1024

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target
        self._pending = ""

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            text = str(text)
        self._pending += text
        cut = max(self._pending.rfind("\n"), self._pending.rfind("\r"))
        if cut >= 0 or len(self._pending) > self.MAX_PENDING:
            end = cut + 1 if cut >= 0 else len(self._pending)
            ready, self._pending = self._pending[:end], self._pending[end:]
            self._write_through(mask_text(ready))
        return len(text)

    def _write_through(self, text: str) -> None:
        try:
            self._target.write(text)
        except UnicodeEncodeError:
            self._target.write(text.encode("utf-8", "replace").decode("utf-8"))

    def flush(self) -> None:
        self._target.flush()

    def close_pending(self) -> None:
        if self._pending:
            self._write_through(mask_text(self._pending))
            self._pending = ""
        self.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", "utf-8")

    @property
    def buffer(self):  # bytes written here bypass the mask; only C extensions do that
        return getattr(self._target, "buffer", None)

    def writable(self) -> bool:
        return True


def _quiet_library_deprecations(show):
    """Libraries (Rasa among them) reset the warning filters at import; their
    deprecation notices about their own dependencies are noise in a server log."""

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, (DeprecationWarning, PendingDeprecationWarning)) and "site-packages" in str(filename):
            return
        show(message, category, filename, lineno, file, line)

    return showwarning


def protect_process_output() -> None:
    """Mask every output path of this process (call once, early, in main())."""
    logging.captureWarnings(True)  # warnings.warn(...) -> logger "py.warnings" -> masked handlers
    warnings.showwarning = _quiet_library_deprecations(warnings.showwarning)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, MaskingStream):
            masking = MaskingStream(stream)
            setattr(sys, name, masking)
            atexit.register(masking.close_pending)
    install()
