"""The queue watcher on a real SQLite database; Rasa is a recording stand-in
(the watcher's Rasa calls are tested for real in the integration tests)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from bot.console.watcher import ACK_EVERY_SECONDS, NOBODY_GRACE_SECONDS, QueueWatcher
from bot.handoff.desk import ServiceDesk
from bot.handoff.models import HandoffReason, HandoffStatus
from bot.handoff.queue import DAYS, ServiceHours
from bot.handoff.texts import load_handoff_texts
from bot.rasa_api import ConversationState, RasaUnavailable, TranscriptLine
from bot.tickets.store import TicketStore, migrate

PASSWORD = "watcher-geheim-1"
ALWAYS = ServiceHours({day: (time(0, 0), time.max) for day in DAYS}, 6)
NEVER = ServiceHours({}, 6)


class RecordingRasa:
    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.customer_lines: dict[str, int] = {}
        self.extra: dict[str, list[TranscriptLine]] = {}
        self.down = False

    def _record(self, *call) -> None:
        if self.down:
            raise RasaUnavailable("down")
        self.calls.append(call)

    def say(
        self,
        conversation_id: str,
        text: str,
        sender_name: str | None = None,
        chat_state: str | None = None,
        buttons: list | None = None,
    ) -> None:
        self._record("say", conversation_id, text)

    def resume(self, conversation_id: str) -> None:
        self._record("resume", conversation_id)

    def run_action(self, conversation_id: str, action: str) -> None:
        self._record("run_action", conversation_id, action)

    def listen(self, conversation_id: str) -> None:
        self._record("listen", conversation_id)

    def conversation(self, conversation_id: str) -> ConversationState:
        if self.down:
            raise RasaUnavailable("down")
        lines = tuple(
            TranscriptLine("customer", f"Nachricht {n}", datetime.now(timezone.utc), intent="inform")
            for n in range(self.customer_lines.get(conversation_id, 0))
        ) + tuple(self.extra.get(conversation_id, ()))
        return ConversationState(conversation_id, True, {}, lines, "webchat")

    def said(self, conversation_id: str) -> list[str]:
        return [c[2] for c in self.calls if c[0] == "say" and c[1] == conversation_id]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'watcher.db'}"
    migrate(url)
    store = TicketStore(url)
    yield store
    store.close()


def _desk(store, hours=ALWAYS, online=True) -> ServiceDesk:
    desk = ServiceDesk(store, hours)
    if online:
        desk.agents.add("anna", "Anna", PASSWORD)
        desk.agents.login("anna", PASSWORD)
    return desk


def _queue(desk: ServiceDesk, conversation: str):
    return desk.queue.enqueue(conversation, "webchat", HandoffReason.CUSTOMER_REQUEST, "internet_down")


def test_new_positions_are_told_once(store):
    texts = load_handoff_texts()
    desk, rasa = _desk(store), RecordingRasa()
    watcher = QueueWatcher(desk, rasa, clock=Clock())
    first, _ = _queue(desk, "c1"), _queue(desk, "c2")
    watcher.tick()
    assert rasa.said("c1") == [texts.position(1, 1)]
    assert rasa.said("c2") == [texts.position(2, 6)]
    watcher.tick()
    assert len(rasa.said("c2")) == 1  # nothing new, nothing said
    desk.queue.claim(first.id, "anna")
    watcher.tick()
    assert rasa.said("c2")[-1] == texts.position(1, 6)  # moved up; anna is busy with c1


def test_a_message_while_waiting_is_acknowledged_at_most_once_a_minute(store):
    texts = load_handoff_texts()
    desk, rasa, clock = _desk(store), RecordingRasa(), Clock()
    watcher = QueueWatcher(desk, rasa, clock=clock)
    _queue(desk, "c1")
    rasa.customer_lines["c1"] = 3  # what was written before joining the queue
    watcher.tick()
    assert texts.still_waiting not in rasa.said("c1")
    rasa.customer_lines["c1"] = 4
    clock.now += 2
    watcher.tick()
    assert rasa.said("c1").count(texts.still_waiting) == 1
    rasa.customer_lines["c1"] = 5
    clock.now += 2
    watcher.tick()
    assert rasa.said("c1").count(texts.still_waiting) == 1  # not again within a minute
    rasa.customer_lines["c1"] = 6
    clock.now += ACK_EVERY_SECONDS
    watcher.tick()
    assert rasa.said("c1").count(texts.still_waiting) == 2


def test_outside_service_hours_waiting_customers_get_a_callback_offer(store):
    texts = load_handoff_texts()
    desk, rasa = _desk(store, NEVER), RecordingRasa()
    handoff = _queue(desk, "c1")
    QueueWatcher(desk, rasa, clock=Clock()).tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.ABANDONED
    assert rasa.calls == [
        ("say", "c1", texts.gave_up),
        ("resume", "c1"),
        ("run_action", "c1", "action_handoff"),  # finds nobody and offers a callback
        ("listen", "c1"),
    ]
    assert [a for _, _, a, _ in desk.queue.audit(handoff.id)] == ["queued", "abandoned"]


def test_with_nobody_online_the_customer_waits_a_grace_period_first(store):
    desk, rasa, clock = _desk(store, online=False), RecordingRasa(), Clock()
    watcher = QueueWatcher(desk, rasa, clock=clock)
    handoff = _queue(desk, "c1")
    watcher.tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.WAITING  # an agent may be reloading
    clock.now += NOBODY_GRACE_SECONDS - 1
    watcher.tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.WAITING
    clock.now += 2
    watcher.tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.ABANDONED


def test_an_agent_coming_back_resets_the_grace_period(store):
    desk, rasa, clock = _desk(store, online=False), RecordingRasa(), Clock()
    watcher = QueueWatcher(desk, rasa, clock=clock)
    handoff = _queue(desk, "c1")
    watcher.tick()
    clock.now += NOBODY_GRACE_SECONDS - 10
    desk.agents.add("ben", "Ben", PASSWORD)
    desk.agents.login("ben", PASSWORD)
    watcher.tick()
    clock.now += 20
    watcher.tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.WAITING


def test_rasa_down_is_retried_on_the_next_tick(store):
    texts = load_handoff_texts()
    desk, rasa = _desk(store), RecordingRasa()
    watcher = QueueWatcher(desk, rasa, clock=Clock())
    handoff = _queue(desk, "c1")
    rasa.down = True
    watcher.tick()  # logged, not raised
    assert desk.queue.get(handoff.id).notified_position is None
    rasa.down = False
    watcher.tick()
    assert rasa.said("c1") == [texts.position(1, 1)]


def test_nicht_mehr_warten_takes_the_customer_out_of_the_queue(store):
    texts = load_handoff_texts()
    desk, rasa = _desk(store), RecordingRasa()
    watcher = QueueWatcher(desk, rasa, clock=Clock())
    handoff = _queue(desk, "c1")
    before = handoff.created_at - timedelta(minutes=5)
    rasa.extra["c1"] = [TranscriptLine("customer", "[Knopf: start_over]", before, intent="start_over")]
    watcher.tick()  # a "von vorn" before joining the queue does not count
    assert desk.queue.get(handoff.id).status is HandoffStatus.WAITING
    now = datetime.now(timezone.utc)
    rasa.extra["c1"].append(TranscriptLine("customer", "[Knopf: start_over]", now, intent="start_over"))
    rasa.calls.clear()
    watcher.tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.ABANDONED
    assert rasa.calls == [("say", "c1", texts.left_queue), ("resume", "c1"), ("listen", "c1")]
    assert desk.queue.audit(handoff.id)[-1][1:3] == ("customer", "abandoned")


def test_queue_messages_carry_the_leave_button():
    assert load_handoff_texts().leave_button() == [{"title": "Nicht mehr warten", "payload": "/start_over"}]
