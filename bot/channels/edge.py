"""What every input channel accepts, checked at the edge before Rasa sees it.

Plain Python, used by the REST and web chat channels (and the messengers
later). Everything a channel hands to Rasa ends up in the tracker store, the
agent console's URLs and the handoff tables, so it is made safe here, once:

- Sender ids (conversation ids) have one shape that every part can carry: the
  SQL tracker store, PostgreSQL, URLs of the Rasa API and the console, log
  lines. Anything else is refused, never "repaired" into somebody else's id.
- Message texts are valid Unicode without lone surrogates or NUL characters
  (PostgreSQL refuses both, and Rasa 3.6 exits when a save fails that way) and
  are bounded in length.
- Client metadata is a small JSON object, or nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: Letters, digits and `_ . : + -`, starting with a letter or digit, at most 64
#: characters. Web chat ids are 32 hex digits; Telegram, Messenger and WhatsApp
#: ids are digits with a channel prefix; test and script ids look like
#: "scenario-12-ab34cd".
MAX_SENDER_ID_CHARS = 64
SENDER_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.:+\-]{{0,{MAX_SENDER_ID_CHARS - 1}}}")
#: What is stored of one customer message. NLU reads at most 500 characters
#: (bot/nlu/sanitize.py); the rest is kept for the agent, up to this bound.
MAX_MESSAGE_CHARS = 5000
#: A request body beyond this is refused before it is parsed (Sanic, socket.io).
MAX_REQUEST_BYTES = 64 * 1024
MAX_METADATA_BYTES = 2048
#: Metadata keys only the server sets (bot/buttons.py); a client's are dropped.
RESERVED_METADATA_KEYS = frozenset({"input"})


@dataclass(frozen=True)
class InputRefused(Exception):
    """A request the bot does not take. `reason` is German, for the client."""

    reason: str
    status: int = 400
    code: str = "invalid"

    def __str__(self) -> str:
        return self.code


REASONS = {
    "not_json": "Die Anfrage ist kein gültiges JSON.",
    "not_object": 'Die Anfrage muss ein JSON-Objekt sein, zum Beispiel {"sender": "kunde-1", "message": "Hallo"}.',
    "sender_missing": "Es fehlt die Absenderkennung („sender“).",
    "sender_invalid": (
        "Die Absenderkennung („sender“) ist ungültig. Erlaubt sind 1 bis 64 Buchstaben, Ziffern und _ . : + - "
        "(am Anfang ein Buchstabe oder eine Ziffer)."
    ),
    "message_missing": "Es fehlt die Nachricht („message“).",
    "message_invalid": "Die Nachricht („message“) muss ein Text sein.",
    "too_large": "Die Anfrage ist zu groß. Bitte schicken Sie eine kürzere Nachricht.",
    "not_json_type": "Bitte schicken Sie die Anfrage als JSON (Content-Type: application/json).",
    "other_channel": (
        "Diese Unterhaltung läuft über einen anderen Kanal (zum Beispiel den Chat auf der Website) "
        "und kann hier nicht fortgesetzt werden."
    ),
}


def refuse(code: str, status: int = 400) -> InputRefused:
    return InputRefused(REASONS[code], status, code)


def is_valid_sender_id(value: Any) -> bool:
    return isinstance(value, str) and SENDER_ID.fullmatch(value) is not None


def check_sender_id(value: Any) -> str:
    if value is None or value == "":
        raise refuse("sender_missing")
    if not is_valid_sender_id(value):
        raise refuse("sender_invalid")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # C0 controls except tab and line breaks


def clean_text(value: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """A storable, bounded text: lone surrogates become U+FFFD, NUL and other C0
    control characters (except tab and line breaks) are dropped, and the text is
    cut to max_chars (never inside a surrogate pair: Python strings hold whole
    code points)."""
    if not value:
        return ""
    value = value[: max_chars * 2]  # bound the work before cleaning
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))[:max_chars]


def check_text(value: Any, required: bool = True) -> str:
    """The message text of a request: a string (numbers are taken as text)."""
    if value is None:
        if required:
            raise refuse("message_missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise refuse("message_invalid")
    return clean_text(value if isinstance(value, str) else str(value))


def _clean_json(value: Any, depth: int = 0) -> Any:
    if depth > 4:
        return None
    if isinstance(value, str):
        return clean_text(value, 500)
    if isinstance(value, dict):
        return {clean_text(str(k), 80): _clean_json(v, depth + 1) for k, v in list(value.items())[:20]}
    if isinstance(value, list):
        return [_clean_json(v, depth + 1) for v in value[:20]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return None


def clean_metadata(value: Any) -> dict[str, Any]:
    """Client metadata as a small, clean JSON object; anything else is dropped.
    Keys that only the server sets are removed, so a client cannot claim them."""
    if isinstance(value, str):
        try:
            value = json.loads(value[:MAX_METADATA_BYTES])
        except (ValueError, RecursionError):
            return {}
    if not isinstance(value, dict):
        return {}
    cleaned = _clean_json(value)
    if not isinstance(cleaned, dict):
        return {}
    cleaned = {k: v for k, v in cleaned.items() if k not in RESERVED_METADATA_KEYS}
    if len(json.dumps(cleaned, ensure_ascii=False).encode("utf-8")) > MAX_METADATA_BYTES:
        return {}
    return cleaned


def parse_json_body(body: bytes | None) -> dict[str, Any]:
    """A request body as a JSON object; refuses wrong encodings and shapes."""
    if body is not None and len(body) > MAX_REQUEST_BYTES:
        raise refuse("too_large", 413)
    if not body or not body.strip():
        raise refuse("not_object")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise refuse("not_json") from None
    if not isinstance(data, dict):
        raise refuse("not_object")
    return data
