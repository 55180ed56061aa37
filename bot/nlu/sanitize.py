"""Cleans raw customer text before it reaches the NLU pipeline.

Customers paste all sorts of things into a chat: HTML from a web page, control
characters from a terminal, 5,000 characters of router log. NLU gets a clean,
bounded text; the conversation history keeps the original message.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

#: Longest text handed to NLU. Customer messages that matter are short; a wall of
#: text is cut at a word boundary so classification stays fast and predictable.
MAX_NLU_CHARS = 500

# Emoji that carry an answer in messenger chats ("👍" to "Hat das geholfen?").
_EMOJI_WORDS = {
    "👍": "ja",
    "👌": "ok",
    "✅": "ja",
    "👎": "nein",
    "❌": "nein",
    "🙏": "danke",
}
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]{0,500}>")
_SCRIPT_OR_STYLE = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.I | re.S)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SanitizedText:
    text: str
    truncated: bool
    original_length: int

    @property
    def has_content(self) -> bool:
        """True when at least one letter or digit survived cleaning."""
        return any(ch.isalnum() for ch in self.text)


# Invisible characters that sit inside words (soft hyphen, word joiner, BOM):
# removed, so "Stö\xadrungs\xadmeldung" pasted from a web page stays one word.
_IN_WORD_INVISIBLE = {"\u00ad", "\u2060", "\ufeff", "\u200c"}


def _is_invisible(ch: str) -> bool:
    """In-word invisibles, emoji variation selectors and skin-tone modifiers."""
    return ch in _IN_WORD_INVISIBLE or "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _is_separator(ch: str) -> bool:
    """Replaced by a space: whitespace, control and other format characters
    (zero-width space, bidi overrides), private-use and unassigned code points,
    and emoji or pictographs, which separate words."""
    category = unicodedata.category(ch)
    return ch.isspace() or category in {"Cc", "Cf", "Co", "Cn", "Cs"} or (category == "So" and ch != "°")


def sanitize(raw: str | None, max_chars: int = MAX_NLU_CHARS) -> SanitizedText:
    """Return the text NLU should see for a raw customer message."""
    raw = raw or ""
    text = unicodedata.normalize("NFC", raw)
    text = html.unescape(text)
    # Drop scripts with their content, then any remaining tags, keeping the words.
    text = _SCRIPT_OR_STYLE.sub(" ", text)
    text = _TAG.sub(" ", text)

    text = "".join(ch for ch in text if not _is_invisible(ch))
    if not any(ch.isalnum() for ch in text):
        # No words, only symbols: an answer emoji ("👍", "👍😊") still means something.
        answer = next((_EMOJI_WORDS[ch] for ch in text if ch in _EMOJI_WORDS), None)
        if answer:
            text = answer
    text = "".join(" " if _is_separator(ch) else ch for ch in text)
    text = _WHITESPACE.sub(" ", text).strip()

    truncated = len(text) > max_chars
    if truncated:
        if text[max_chars] == " ":
            text = text[:max_chars]
        else:
            cut = text[:max_chars]
            space = cut.rfind(" ")
            text = cut[:space] if space > max_chars // 2 else cut
    return SanitizedText(text=text, truncated=truncated, original_length=len(raw))
