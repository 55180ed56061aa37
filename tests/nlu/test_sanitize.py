"""Unit tests for bot.nlu.sanitize: what NLU sees of a raw customer message."""

from __future__ import annotations

import dataclasses

import pytest

from bot.nlu.sanitize import MAX_NLU_CHARS, SanitizedText, sanitize

# --- plain text passes through


@pytest.mark.parametrize(
    "raw",
    [
        "mein internet geht seit gestern nicht",
        "Die DSL-Lampe an der FRITZ!Box 7590 blinkt grün.",
        "Störung in 50667? Bei uns fällt ständig das WLAN aus!",
        "kundennummer 4711 000 002, plz 01067",
        "Temperatur im Keller 20°, Router ist heiß",
        "3 < 5 und 7 > 2",
        "ich <3 euch",
        "1&1 DSL 100 – geht nicht",
        "50 € zu viel auf der Rechnung",
        "am 12.03.2024 um 14:30 Uhr",
        "ticket ST-7K4-29P",
    ],
)
def test_clean_text_is_unchanged(raw):
    result = sanitize(raw)
    assert result.text == raw
    assert result.truncated is False
    assert result.original_length == len(raw)
    assert result.has_content


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  internet   geht\tnicht  ", "internet geht nicht"),
        ("zeile eins\nzeile zwei\r\nzeile drei", "zeile eins zeile zwei zeile drei"),
        ("\u00a0internet\u00a0geht", "internet geht"),  # no-break space
        ("line1\u2028line2", "line1 line2"),  # Unicode line separator
    ],
)
def test_whitespace_is_collapsed_and_stripped(raw, expected):
    assert sanitize(raw).text == expected


def test_unicode_is_nfc_normalised():
    decomposed = "sto\u0308rung fa\u0308llt aus"  # o + combining diaeresis
    assert sanitize(decomposed).text == "störung fällt aus"


# --- HTML


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<b>internet</b> geht nicht", "internet geht nicht"),
        ("<p>Hallo</p><p>Internet geht nicht</p>", "Hallo Internet geht nicht"),
        ("zeile1<br/>zeile2", "zeile1 zeile2"),
        ("zeile1<br>zeile2", "zeile1 zeile2"),
        ('<a href="https://example.de/hilfe">hilfe seite</a> geht nicht', "hilfe seite geht nicht"),
        ('<div\nclass="msg">wlan weg</div>', "wlan weg"),
        ("<!-- kommentar -->text", "text"),
        ("<img src=x onerror=alert(1)>wlan", "wlan"),
        ("< / span >router", "router"),
    ],
)
def test_html_tags_are_removed_keeping_words(raw, expected):
    assert sanitize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<script>alert('x')</script>hallo", "hallo"),
        ("<SCRIPT type='text/javascript'>var a = 1 < 2;</SCRIPT>wlan weg", "wlan weg"),
        ("vorher <script>\ndocument.cookie\n</script> nachher", "vorher nachher"),
        ("<style>p{color:red}</style>router", "router"),
        ("<style type='text/css'>\n.x { display:none }\n</style>internet", "internet"),
        ("a <script>x()</script> b <script>y()</script> c", "a b c"),
    ],
)
def test_script_and_style_are_removed_with_their_content(raw, expected):
    result = sanitize(raw)
    assert result.text == expected
    for leaked in ("alert", "document", "cookie", "color", "display", "x()", "y()"):
        assert leaked not in result.text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a &lt; b &amp; c", "a < b & c"),
        ("internet&amp;telefon", "internet&telefon"),
        ("st&ouml;rung", "störung"),
        ("geht&nbsp;nicht", "geht nicht"),
        ("&quot;keine Verbindung&quot;", '"keine Verbindung"'),
        ("Stra&szlig;e", "Straße"),
        ("&#228;rger", "ärger"),
        ("&#x2F;", "/"),
    ],
)
def test_html_entities_are_decoded(raw, expected):
    assert sanitize(raw).text == expected


def test_escaped_script_tags_are_removed_too():
    # Entities are decoded before tags are stripped, so an escaped script is still a script.
    result = sanitize("&lt;script&gt;alert(1)&lt;/script&gt;hallo")
    assert result.text == "hallo"


def test_tag_only_message_has_no_content():
    result = sanitize("<br><p></p>")
    assert result.text == ""
    assert not result.has_content


# --- control and invisible characters


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("internet\x00geht\x07nicht", "internet geht nicht"),
        ("router\x1bneu gestartet", "router neu gestartet"),
        ("wlan\x7fweg", "wlan weg"),
        ("\x08\x08internet", "internet"),
        ("wlan\u200bgeht\u200dnicht", "wlan geht nicht"),  # zero-width space / joiner
        ("\ufeffhallo", "hallo"),  # byte order mark
        ("a\u202egeht", "a geht"),  # right-to-left override
        ("\u200b", ""),
    ],
)
def test_control_and_format_characters_do_not_reach_nlu(raw, expected):
    assert sanitize(raw).text == expected


@pytest.mark.parametrize(
    "invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\x00"]
)
def test_no_invisible_character_survives(invisible):
    result = sanitize(f"internet {invisible} geht nicht")
    assert invisible not in result.text
    assert result.text == "internet geht nicht"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Stö\u00adrungs\u00admeldung", "Störungsmeldung"),
        ("meine Kunden\u2060nummer", "meine Kundennummer"),
    ],
)
def test_non_breaking_format_characters_inside_words_are_removed(raw, expected):
    assert sanitize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("danke ❤️", "danke"),
        ("⚠️ internet weg", "internet weg"),
        ("❤️", ""),
    ],
)
def test_emoji_variation_selector_is_removed(raw, expected):
    assert sanitize(raw).text == expected


# --- emoji


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("👍", "ja"),
        ("👍🏻", "ja"),  # skin tone modifier
        ("👍🏽", "ja"),
        ("👍\ufe0f", "ja"),
        ("  👍  ", "ja"),
        ("👍 👍 👍", "ja"),
        ("👍 ✅", "ja"),
        ("✅", "ja"),
        ("👎", "nein"),
        ("❌", "nein"),
        ("👌", "ok"),
        ("🙏", "danke"),
        ("🙏🏼", "danke"),
        ("<p>👍</p>", "ja"),
        ("&#128077;", "ja"),  # 👍 as an HTML entity
    ],
)
def test_answer_emoji_alone_become_words(raw, expected):
    result = sanitize(raw)
    assert result.text == expected
    assert result.has_content


def test_mixed_answer_emoji_take_the_first_meaning():
    assert sanitize("👍👎").text == "ja"
    assert sanitize("👎👍").text == "nein"


@pytest.mark.parametrize("raw", ["😡", "😀😀", "🤬", "★★★", "©", "🎉 🎉", "🔥"])
def test_other_emoji_only_messages_have_no_content(raw):
    result = sanitize(raw)
    assert result.text == ""
    assert not result.has_content
    assert result.original_length == len(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("🤬 internet weg", "internet weg"),
        ("internet geht 👍", "internet geht"),
        ("ja👍", "ja"),
        ("👍 danke", "danke"),
        ("geht wieder 😀😀😀 super", "geht wieder super"),
    ],
)
def test_emoji_inside_text_are_dropped(raw, expected):
    # Only an emoji-only message is translated; inside text, the words carry the meaning.
    assert sanitize(raw).text == expected


@pytest.mark.parametrize("raw", ["👍😊", "😊👍"])
def test_thumbs_up_with_smiley_still_means_yes(raw):
    assert sanitize(raw).text == "ja"


@pytest.mark.parametrize("raw", ["Grad 20°", "1 ≥ 2", "→ geht nicht", "Fritz!Box", "50 €"])
def test_meaningful_symbols_are_kept(raw):
    assert sanitize(raw).text == raw


# --- empty input


@pytest.mark.parametrize("raw", [None, "", "   ", "\n\t", "\u200b\u200b", "\x00"])
def test_empty_input(raw):
    result = sanitize(raw)
    assert result.text == ""
    assert result.truncated is False
    assert result.original_length == len(raw or "")
    assert not result.has_content


@pytest.mark.parametrize(
    ("raw", "has_content"),
    [
        ("?", False),
        ("...!!!", False),
        ("- - -", False),
        ("1", True),
        ("a", True),
        ("ä", True),
        ("?!? nein", True),
    ],
)
def test_has_content_needs_a_letter_or_digit(raw, has_content):
    assert sanitize(raw).has_content is has_content


def test_result_is_immutable():
    result = sanitize("hallo")
    assert isinstance(result, SanitizedText)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "anders"  # type: ignore[misc]


# --- long input


def _router_log(length: int) -> str:
    line = "Mar 12 14:30:02 DSL-Synchronisierung verloren, Leitung wird neu trainiert (Fehler 0x8007) "
    return (line * (length // len(line) + 1))[:length]


def test_max_nlu_chars_is_500():
    assert MAX_NLU_CHARS == 500


def test_long_paste_is_truncated_at_a_word_boundary():
    raw = "Hallo, hier der Log von meinem Router: " + _router_log(5000)
    raw = raw[:5000]
    assert len(raw) == 5000

    result = sanitize(raw)
    full = sanitize(raw, max_chars=10**6).text

    assert result.truncated is True
    assert result.original_length == 5000
    assert len(result.text) <= MAX_NLU_CHARS
    # A word boundary, not the middle of a word, and not absurdly short.
    assert len(result.text) > MAX_NLU_CHARS // 2
    assert full.startswith(result.text)
    assert full[len(result.text)] == " "
    assert not result.text.endswith(" ")
    assert result.text.startswith("Hallo, hier der Log von meinem Router:")


def test_long_text_without_spaces_is_cut_hard():
    result = sanitize("x" * 5000)
    assert result.truncated is True
    assert result.text == "x" * MAX_NLU_CHARS
    assert result.original_length == 5000


def test_no_space_in_second_half_cuts_hard_instead_of_dropping_half():
    raw = "kurz " + "b" * 600
    result = sanitize(raw)
    assert result.truncated is True
    assert len(result.text) == MAX_NLU_CHARS
    assert result.text.startswith("kurz b")


def test_exactly_max_chars_is_not_truncated():
    raw = "a" * MAX_NLU_CHARS
    result = sanitize(raw)
    assert result.truncated is False
    assert result.text == raw


def test_one_word_over_the_limit_is_dropped():
    raw = "a" * (MAX_NLU_CHARS - 1) + " bbbb"
    result = sanitize(raw)
    assert result.truncated is True
    assert result.text == "a" * (MAX_NLU_CHARS - 1)


def test_limit_applies_to_cleaned_text_not_raw_length():
    # Surrounding whitespace and tags do not count against the limit.
    raw = "   <b>" + "a" * MAX_NLU_CHARS + "</b>   "
    result = sanitize(raw)
    assert result.truncated is False
    assert result.text == "a" * MAX_NLU_CHARS
    assert result.original_length == len(raw)


def test_original_length_counts_raw_characters():
    raw = "<b>internet</b>\u200b  geht 👍"
    assert sanitize(raw).original_length == len(raw)


@pytest.mark.parametrize("max_chars", [5, 7, 11, 20])
def test_custom_limit(max_chars):
    raw = "hallo welt mein internet geht nicht"
    result = sanitize(raw, max_chars=max_chars)
    assert result.truncated is True
    assert len(result.text) <= max_chars
    assert raw.startswith(result.text)


def test_custom_limit_prefers_word_boundary():
    assert sanitize("hallo welt", max_chars=7).text == "hallo"
    assert sanitize("internet geht nicht", max_chars=15).text == "internet geht"
