"""What a tap looks like in the agent's transcript: the label the customer read,
never the intent behind it (bot/rasa_api.py transcript)."""

from bot.rasa_api import transcript

DIAGNOSIS = '/inform{"diagnosis_answer": "none_works"}'
OFFER = {
    "event": "bot",
    "text": "Geht das Internet an einem anderen Gerät?",
    "data": {"buttons": [{"title": "Ja, dort geht es", "payload": '/inform{"diagnosis_answer": "other_works"}'},
                         {"title": "Nein, auf keinem Gerät", "payload": DIAGNOSIS}]},
}


def _press(text: str, input_: dict | None = None, intent: str = "inform", **metadata) -> dict:
    event = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
    if input_ is not None:
        metadata["input"] = input_
    if metadata:
        event["metadata"] = metadata
    return event


def customer(events: list[dict]) -> list[tuple[str, str]]:
    return [(line.text, line.input) for line in transcript(events) if line.who == "customer"]


def test_a_press_with_its_title_shows_the_title():
    assert customer([OFFER, _press(DIAGNOSIS, {"kind": "button", "title": "Nein, auf keinem Gerät"})]) == [
        ("Nein, auf keinem Gerät", "button")
    ]


def test_a_press_recorded_without_title_shows_the_title_of_the_offered_button():
    assert customer([OFFER, _press(DIAGNOSIS, {"kind": "button"})]) == [("Nein, auf keinem Gerät", "button")]


def test_a_press_without_title_or_offer_shows_the_label_the_widget_sent():
    assert customer([_press(DIAGNOSIS, {"kind": "button"}, button_label="Nein, auf keinem Gerät")]) == [
        ("Nein, auf keinem Gerät", "button")
    ]


def test_quick_replies_count_as_offered_buttons():
    offer = {"event": "bot", "text": "Frage", "data": {"quick_replies": [{"title": "Ja, bitte", "payload": "/affirm"}]}}
    assert customer([offer, _press("/affirm", {"kind": "button"}, intent="affirm")]) == [("Ja, bitte", "button")]


def test_an_old_press_stored_before_presses_were_marked_shows_the_offered_title():
    assert customer([OFFER, _press(DIAGNOSIS)]) == [("Nein, auf keinem Gerät", "button")]


def test_only_the_bot_turn_right_before_counts():
    typed_between = _press("Hallo?", {"kind": "typed"}, intent="greet")
    assert customer([OFFER, typed_between, _press(DIAGNOSIS)]) == [("Hallo?", "typed"), (DIAGNOSIS, "typed")]


def test_typed_text_that_looks_like_a_payload_stays_typed():
    # The server said "typed": a payload typed by hand is never shown as a press.
    assert customer([OFFER, _press(DIAGNOSIS, {"kind": "typed"})]) == [(DIAGNOSIS, "typed")]


def test_a_stale_button_is_kept_as_its_label():
    # bot/buttons.py stores a tap on an older button as its label, read as words.
    assert customer([_press("Nein, auf keinem Gerät", {"kind": "typed"})]) == [("Nein, auf keinem Gerät", "typed")]


def test_a_label_that_is_not_text_is_not_shown():
    assert customer([_press("/deny", {"kind": "button"}, intent="deny", button_label={"a": 1})]) == [("deny", "button")]
