"""bot.channels.edge: what every channel accepts (sender ids, texts, metadata, bodies)."""

from __future__ import annotations

import json

import pytest

from bot.channels.edge import (
    MAX_MESSAGE_CHARS,
    MAX_REQUEST_BYTES,
    InputRefused,
    check_sender_id,
    check_text,
    clean_metadata,
    clean_text,
    is_valid_sender_id,
    parse_json_body,
)


@pytest.mark.parametrize(
    "sender",
    ["a", "demo", "scenario-12-ab34cd", "0f3a" * 8, "telegram:123456789", "whatsapp:+491701234567", "x" * 64,
     "bench_1.2"],
)
def test_sender_ids_every_part_can_carry(sender):
    assert is_valid_sender_id(sender) and check_sender_id(sender) == sender


@pytest.mark.parametrize(
    "sender",
    ["x\ud800", "web chat/7", "a b", "<script>", "../etc", "-leading-dash", ".hidden", "x" * 65, "ä", "a\nb",
     "a/b", "a?b", "a#b", "a%2Fb", "a\x00b", 42, ["a"], {"id": "a"}, True],
)
def test_other_sender_ids_are_refused(sender):
    assert not is_valid_sender_id(sender)
    with pytest.raises(InputRefused) as refused:
        check_sender_id(sender)
    assert refused.value.status == 400 and refused.value.code == "sender_invalid"


@pytest.mark.parametrize("sender", [None, ""])
def test_a_missing_sender_is_refused_never_a_shared_default(sender):
    with pytest.raises(InputRefused) as refused:
        check_sender_id(sender)
    assert refused.value.code == "sender_missing" and "Absender" in refused.value.reason


def test_texts_become_storable_and_bounded():
    assert clean_text("hallo \ud800 welt") == "hallo \ufffd welt"
    assert clean_text("a\x00b\x07c\td\ne\r") == "abc\td\ne\r"
    assert clean_text("😀 ok") == "😀 ok"  # whole code points, nothing broken
    assert len(clean_text("x" * 20_000_000)) == MAX_MESSAGE_CHARS
    cleaned = clean_text("\ud83d" * 10)  # half emoji pairs only
    assert cleaned == "\ufffd" * 10
    cleaned.encode("utf-8")  # storable in PostgreSQL and SQLite


@pytest.mark.parametrize(("value", "text"), [("hallo", "hallo"), ("", ""), (4711, "4711"), (1.5, "1.5")])
def test_message_texts(value, text):
    assert check_text(value) == text


@pytest.mark.parametrize("value", [True, ["hallo"], {"text": "hallo"}])
def test_message_that_is_not_text(value):
    with pytest.raises(InputRefused) as refused:
        check_text(value)
    assert refused.value.code == "message_invalid"


def test_missing_message():
    with pytest.raises(InputRefused) as refused:
        check_text(None)
    assert refused.value.code == "message_missing"
    assert check_text(None, required=False) == ""


@pytest.mark.parametrize(
    ("body", "code", "status"),
    [
        (b"", "not_object", 400),
        (b"   ", "not_object", 400),
        (b"null", "not_object", 400),
        (b"[1, 2]", "not_object", 400),
        (b'"hallo"', "not_object", 400),
        (b"42", "not_object", 400),
        (b"{nicht json", "not_json", 400),
        (b'{"message": "\xff\xfe"}', "not_json", 400),  # not UTF-8
        (b"[" * 100_000, "too_large", 413),
        (b"[" * 60_000, "not_json", 400),  # too deep to parse
        (json.dumps({"message": "x" * MAX_REQUEST_BYTES}).encode(), "too_large", 413),
    ],
)
def test_bodies_that_are_not_a_json_object(body, code, status):
    with pytest.raises(InputRefused) as refused:
        parse_json_body(body)
    assert (refused.value.code, refused.value.status) == (code, status)
    assert refused.value.reason  # German, for the client


def test_a_json_object_is_read():
    assert parse_json_body('{"sender": "a", "message": "Grüße"}'.encode()) == {"sender": "a", "message": "Grüße"}


def test_metadata_is_small_clean_and_never_claims_server_keys():
    assert clean_metadata({"button_label": "Ja", "input": {"kind": "button"}}) == {"button_label": "Ja"}
    assert clean_metadata('{"a": "b\\ud800"}') == {"a": "b\ufffd"}
    assert clean_metadata("nicht json") == {} and clean_metadata(["a"]) == {} and clean_metadata(None) == {}
    assert clean_metadata({"big": "x" * 400, "more": ["y" * 400] * 20}) == {}  # over 2 KB
    deep: dict = {}
    node = deep
    for _ in range(50):
        node["n"] = {}
        node = node["n"]
    assert json.dumps(clean_metadata(deep)).count("{") <= 6
