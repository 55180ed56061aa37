"""The chat and queue as the console shows them: line ids, the customer's first
words, the automatic greeting, and the typing signal (a stand-in for Rasa, the
real SQLite database)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.console.service import Console, ConsoleError, first_words, line_ids, sender_name
from bot.handoff.desk import ServiceDesk
from bot.handoff.models import HandoffReason
from bot.handoff.texts import load_handoff_texts
from bot.rasa_api import ConversationState, RasaUnavailable, TranscriptLine
from bot.tickets.store import TicketStore, migrate

T0 = datetime(2026, 5, 4, 9, 30, tzinfo=timezone.utc)


def _line(who: str, text: str, seconds: float = 0, input_: str = "typed", name: str | None = None):
    return TranscriptLine(who, text, T0 + timedelta(seconds=seconds), name=name, input=input_)


class StubRasa:
    def __init__(self) -> None:
        self.lines: dict[str, list[TranscriptLine]] = {}
        self.typing: list[tuple[str, str]] = []
        self.said: list[tuple[str, str]] = []
        self.asked = 0
        self.down = False

    def conversation(self, conversation_id: str) -> ConversationState:
        self.asked += 1
        if self.down:
            raise RasaUnavailable("down")
        return ConversationState(conversation_id, True, {}, tuple(self.lines.get(conversation_id, [])), "webchat")

    def say(self, conversation_id: str, text: str, sender_name: str | None = None, **_) -> None:
        self.said.append((conversation_id, text))
        self.lines.setdefault(conversation_id, []).append(
            TranscriptLine("agent", text, datetime.now(timezone.utc), name=sender_name)
        )

    def agent_typing(self, conversation_id: str, name: str) -> None:
        self.typing.append((conversation_id, name))


@pytest.fixture
def console(tmp_path):
    url = f"sqlite:///{tmp_path / 'console.db'}"
    migrate(url)
    store = TicketStore(url)
    desk = ServiceDesk(store)
    for username, name in (("mia", "Mia"), ("tom", "Tom")):
        desk.agents.add(username, name, "geheim-geheim-1")
    yield Console(desk, StubRasa())
    store.close()


def test_line_ids_are_stable_when_lines_are_appended_and_unique_for_equal_times():
    lines = [_line("customer", "a"), _line("bot", "b"), _line("bot", "c", 1)]
    ids = line_ids(lines)
    assert len(set(ids)) == 3
    assert line_ids(lines + [_line("customer", "d", 2)])[:3] == ids


def test_first_words_are_the_first_typed_words_on_one_line_and_trimmed():
    lines = [
        _line("customer", "hat den Chat geöffnet", input_="command"),
        _line("customer", "Internet geht gar nicht", input_="button"),
        _line("customer", "Mein   Router\nblinkt rot " + "und " * 40),
    ]
    words = first_words(lines)
    assert words.startswith("Mein Router blinkt rot und")
    assert len(words) <= 80 and words.endswith("…") and "\n" not in words
    assert first_words(lines[:2]) == "Internet geht gar nicht"  # only a tap: its label
    assert first_words(lines[:1]) == ""
    assert first_words([_line("customer", "Kurz.")]) == "Kurz."


def test_waiting_chats_show_the_first_words_and_rasa_is_asked_once_per_chat(console):
    console.rasa.lines["c1"] = [_line("customer", "Mein Telefon ist tot"), _line("bot", "Das tut mir leid.")]
    console.queue.enqueue("c1", "webchat", HandoffReason.COMPLAINT, "phone_down")
    agent = console.desk.agents.get("mia")
    first = console.overview(agent)["waiting"][0]
    assert first["first_words"] == "Mein Telefon ist tot"
    assert first["reason"] == "Ist verärgert und möchte sich beschweren"
    console.overview(agent)
    assert console.rasa.asked == 1


def test_first_words_are_asked_again_when_rasa_was_down(console):
    console.rasa.down = True
    console.queue.enqueue("c1", "webchat", HandoffReason.CUSTOMER_REQUEST, None)
    agent = console.desk.agents.get("mia")
    assert console.overview(agent)["waiting"][0]["first_words"] == ""
    console.rasa.down = False
    console.rasa.lines["c1"] = [_line("customer", "Hallo")]
    assert console.overview(agent)["waiting"][0]["first_words"] == "Hallo"


def test_first_words_not_stored_yet_are_asked_again(console):
    # Queued by the first message: the row appears before Rasa has stored that message.
    console.queue.enqueue("c1", "webchat", HandoffReason.CUSTOMER_REQUEST, None)
    agent = console.desk.agents.get("mia")
    assert console.overview(agent)["waiting"][0]["first_words"] == ""
    console.rasa.lines["c1"] = [_line("customer", "Ich möchte bitte mit einem Menschen sprechen")]
    assert console.overview(agent)["waiting"][0]["first_words"] == "Ich möchte bitte mit einem Menschen sprechen"


def test_the_automatic_greeting_is_marked_and_shown_until_the_agent_writes(console):
    handoff = console.queue.enqueue("c1", "webchat", HandoffReason.CUSTOMER_REQUEST, None)
    console.rasa.lines["c1"] = [_line("customer", "Ich will einen Menschen")]
    mia, tom = console.desk.agents.get("mia"), console.desk.agents.get("tom")
    greeting = console.claim(handoff.id, mia)
    assert greeting == load_handoff_texts().joined("Mia")  # "Guten Abend, hier ist Mia ...", by the hour
    view = console.chat(handoff.id, mia)
    assert [line["auto"] for line in view.lines] == [False, True]
    assert view.auto_greeting == greeting
    assert console.chat(handoff.id, tom).auto_greeting is None  # only for the agent who took it
    console.reply(handoff.id, mia, "Was genau blinkt denn?")
    view = console.chat(handoff.id, mia)
    assert [line["auto"] for line in view.lines] == [False, True, False]
    assert view.auto_greeting is None


def test_a_transcript_rasa_cannot_give_is_an_error_not_a_line(console):
    handoff = console.queue.enqueue("c1", "webchat", HandoffReason.CUSTOMER_REQUEST, None)
    console.rasa.down = True
    view = console.chat(handoff.id, console.desk.agents.get("mia"))
    assert view.lines == [] and view.transcript_error


def test_typing_reaches_rasa_only_for_the_agent_who_holds_the_chat(console):
    handoff = console.queue.enqueue("c1", "webchat", HandoffReason.CUSTOMER_REQUEST, None)
    mia, tom = console.desk.agents.get("mia"), console.desk.agents.get("tom")
    with pytest.raises(ConsoleError):
        console.typing(handoff.id, mia)  # still waiting
    console.claim(handoff.id, mia)
    with pytest.raises(ConsoleError):
        console.typing(handoff.id, tom)
    console.typing(handoff.id, mia)
    assert console.rasa.typing == [("c1", sender_name(mia))]


def test_typing_when_rasa_is_down_is_no_error(console):
    handoff = console.queue.enqueue("c1", "webchat", HandoffReason.CUSTOMER_REQUEST, None)
    mia = console.desk.agents.get("mia")
    console.claim(handoff.id, mia)

    def down(*_):
        raise RasaUnavailable("down")

    console.rasa.agent_typing = down
    console.typing(handoff.id, mia)
