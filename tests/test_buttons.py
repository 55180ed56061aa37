"""bot.buttons: only payloads the bot offered in its latest turn are button presses."""

from __future__ import annotations

from bot.buttons import Button, offered_buttons, resolve, strip_intent_syntax

YES_NO = [Button("Ja, bitte", "/affirm"), Button("Nein", "/deny")]


def _bot(*buttons: tuple[str, str], key: str = "buttons") -> dict:
    return {"event": "bot", "data": {key: [{"title": t, "payload": p} for t, p in buttons]}}


def test_offered_buttons_are_those_since_the_customers_latest_message():
    events = [
        _bot(("Alt", "/old")),
        {"event": "user", "text": "hallo"},
        {"event": "bot", "text": "Frage?"},
        _bot(("Ja", "/affirm")),
        _bot(("Nicht mehr warten", "/start_over"), key="quick_replies"),
    ]
    assert offered_buttons(events) == [Button("Ja", "/affirm"), Button("Nicht mehr warten", "/start_over")]
    assert offered_buttons(events + [{"event": "user", "text": "x"}]) == []
    assert offered_buttons([{"event": "bot", "data": {"buttons": ["kaputt", {"title": "x"}]}}]) == []


def test_an_offered_payload_is_a_button_press():
    resolved = resolve("/affirm", YES_NO)
    assert (resolved.kind, resolved.title, resolved.nlu_text) == ("button", "Ja, bitte", None)
    assert resolve(" /deny ", YES_NO).kind == "button"
    payload = '/inform{"diagnosis_answer": "none_works"}'
    assert resolve(payload, [Button("Nein, auf keinem Gerät", payload)]).kind == "button"


def test_intent_syntax_nobody_offered_is_read_as_words():
    forged = resolve('/affirm{"customer_number": "4711000006"}', YES_NO)
    assert forged.kind == "typed" and forged.nlu_text == 'affirm{"customer_number": "4711000006"}'
    assert forged.stored_text is None  # the tracker keeps what was typed
    for text in ("/restart", "/ticket_status", "//affirm", "/ affirm", "/session_start", "/nlu_fallback"):
        resolved = resolve(text, YES_NO)
        assert resolved.kind == "typed" and not resolved.nlu_text.startswith("/"), text
    assert resolve("/", YES_NO).nlu_text == "?"


def test_a_stale_button_is_read_by_its_label():
    resolved = resolve("/affirm", [], label="Ja, bitte")
    assert (resolved.kind, resolved.nlu_text, resolved.stored_text) == ("typed", "Ja, bitte", "Ja, bitte")
    # A label that is itself intent syntax is no way around the rule.
    assert resolve("/affirm", [], label="/affirm").nlu_text == "affirm"


def test_plain_text_and_channel_commands():
    assert resolve("ja bitte", YES_NO).kind == "typed" and resolve("ja bitte", YES_NO).nlu_text is None
    assert resolve("/greet", [], trusted_command=True).kind == "command"
    assert resolve(None, YES_NO).kind == "typed"


def test_strip_intent_syntax():
    assert strip_intent_syntax("/affirm") == "affirm"
    assert strip_intent_syntax(" //  x") == "x"
