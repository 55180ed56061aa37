"""End-to-end conversations over Rasa's REST channel with the real trained model."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.integration

# Words that only an English default text or a crash page would contain.
_ENGLISH_DEFAULTS = re.compile(r"\b(sorry|didn't|rephrase|error|exception)\b", re.I)
_GERMAN = re.compile(r"\b(Sie|Ihnen|Ihre?|ich|bitte|Entschuldigung|leider)\b")


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def _texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _assert_friendly_german(messages: list[dict]) -> None:
    text = _texts(messages)
    assert messages, "the bot stayed silent"
    assert _GERMAN.search(text), text
    assert not _ENGLISH_DEFAULTS.search(text.split("(Sorry")[0]), text


def test_greeting_says_what_the_bot_can_do_and_offers_topics(bot):
    messages = bot.send(_sender(), "Hallo")
    text = _texts(messages)
    for topic in ("Internet", "WLAN", "Telefon", "Fernsehen", "E-Mail"):
        assert topic in text
    buttons = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert "/internet_down" in buttons and "/wifi_problem" in buttons


FIRST_INTERNET_QUESTION = "anderen Gerät"


def _buttons(messages: list[dict]) -> dict[str, str]:
    return {b["title"]: b["payload"] for m in messages for b in m.get("buttons", [])}


def test_internet_down_starts_the_guided_diagnosis_buttons_and_free_text_answer(bot):
    sender = _sender()
    messages = bot.send(sender, "Mein Internet geht seit heute früh nicht mehr")
    assert FIRST_INTERNET_QUESTION in _texts(messages)
    buttons = _buttons(messages)
    assert buttons["Nein, auf keinem Gerät"] == '/inform{"diagnosis_answer": "none_works"}'
    # Line first: nothing works, so our side is checked before anything at home.
    identification = _texts(bot.send(sender, buttons["Nein, auf keinem Gerät"]))
    assert "Kundennummer" in identification and "Lampe" not in identification
    router_question = bot.send(sender, "hab ich nicht")  # without it the home checks come next
    assert "Welchen Router haben Sie?" in _texts(router_question)  # asked once, as lamps differ
    assert {"FRITZ!Box", "Weiß ich nicht"} <= set(_buttons(router_question))
    lamp_question = bot.send(sender, "weiß ich nicht")
    assert "Lampe" in _texts(lamp_question) and "ruhig" in _texts(lamp_question)
    after = _texts(bot.send(sender, "die blinkt die ganze zeit"))
    assert "Kabel" in after and "Kundennummer" not in after  # not asked a second time


def test_a_lamp_described_in_the_first_message_is_not_asked_again(bot):
    sender = _sender()
    assert FIRST_INTERNET_QUESTION in _texts(bot.send(sender, "Fritzbox DSL Lampe blinkt seit heute früh"))
    after = _texts(bot.send(sender, "nein, nirgends"))
    assert "Leuchtet dort die Lampe" not in after
    assert "Kundennummer" in after  # straight to the line check
    after = _texts(bot.send(sender, "weiß ich nicht"))
    assert "Kabel" in after
    assert "FRITZ!Box" in _texts(bot.send(sender, "nee"))  # the router model from the first message is used


def test_side_questions_and_going_back_keep_the_diagnosis(bot):
    sender = _sender()
    bot.send(sender, "Mein Internet geht seit heute früh nicht mehr")
    where = _texts(bot.send(sender, "was meinen sie mit anderem gerät?"))
    assert "Handy" in where and FIRST_INTERNET_QUESTION in where
    why = _texts(bot.send(sender, "warum wollen sie das wissen"))
    assert "spart Ihnen" in why and FIRST_INTERNET_QUESTION in why
    assert "Kundennummer" in _texts(bot.send(sender, "nein"))  # line first
    back = _texts(bot.send(sender, "zurück bitte"))
    assert "Schritt zurück" in back and FIRST_INTERNET_QUESTION in back
    unclear = _texts(bot.send(sender, "/nlu_fallback"))
    assert "nicht ganz verstanden" in unclear and FIRST_INTERNET_QUESTION in unclear


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "😀😀😀",
        "\x00\x07\x1b",
        "<script>alert('x')</script>",
        "my internet is not working since yesterday",
        "интернет не работает",
        "asdfgh qwertz",
    ],
    ids=["empty", "blank", "emoji", "control-chars", "script-tag", "english", "cyrillic", "gibberish"],
)
def test_bad_input_gets_a_friendly_german_answer_and_the_chat_goes_on(bot, message):
    sender = _sender()
    _assert_friendly_german(bot.send(sender, message))
    # The conversation stays usable afterwards.
    assert FIRST_INTERNET_QUESTION in _texts(bot.send(sender, "internet geht nicht"))


def test_empty_and_english_messages_get_specific_answers(bot):
    assert "leer" in _texts(bot.send(_sender(), ""))
    english = bot.send(_sender(), "Hello, can you help me? My internet is down.")
    assert "nur Deutsch" in _texts(english)
    # and a way to a person right away (a queue or a callback, with buttons)
    assert any(m.get("buttons") for m in english[1:]), english


def test_html_around_a_real_message_is_understood(bot):
    assert "WLAN" in _texts(bot.send(_sender(), "<b>mein wlan</b> geht nicht<br>"))


def test_huge_message_is_cut_before_nlu_stored_bounded_and_answered(bot):
    from bot.channels.edge import MAX_MESSAGE_CHARS

    sender = _sender()
    log_line = "21.11.2026 07:42:13 Internetverbindung wurde getrennt. Ursache: DSL-Synchronisierung beendet. "
    message = "Guten Tag, unser Telefon hat seit heute früh kein Freizeichen. Hier das Protokoll: " + log_line * 60
    assert len(message) > MAX_MESSAGE_CHARS
    _assert_friendly_german(bot.send(sender, message))
    [event] = bot.user_events(sender)
    assert event["text"] == message[:MAX_MESSAGE_CHARS]  # the agent sees the first 5000 characters
    assert len(event["parse_data"]["text"]) <= 500  # NLU saw a bounded text
    _assert_friendly_german(bot.send(sender, "internet geht nicht"))  # the chat goes on


def test_second_misunderstanding_in_a_row_shows_the_topic_menu(bot):
    # Keyboard mashing is never understood (LanguageGuard: no German word in it).
    sender = _sender()
    first = bot.send(sender, "qwrtzp xcvbnm")
    second = bot.send(sender, "plkmnj hgfdsa")
    assert "anderen Worten" in _texts(first)
    assert "wieder nicht verstanden" in _texts(second)
    assert len([b for m in second for b in m.get("buttons", [])]) >= 8
    # Understood again: the count starts over.
    bot.send(sender, "internet geht nicht")
    assert "anderen Worten" in _texts(bot.send(sender, "wqxz jkhgf"))


def test_personal_numbers_are_masked_in_server_logs(bot):
    sender = _sender()
    bot.send(sender, "meine Kundennummer ist 4711000002 und meine Telefonnummer 0221 9876543")
    logs = bot.rasa_log.read_text() + bot.action_log.read_text()
    assert "********02" in logs, "the user message was not logged at DEBUG, so masking was not exercised"
    assert "4711000002" not in logs
    assert "9876543" not in logs
