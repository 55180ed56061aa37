"""The queue watcher on a real SQLite database; Rasa is a recording stand-in
(the watcher's Rasa calls are tested for real in the integration tests)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from bot.console.watcher import ACK_EVERY_SECONDS, NOBODY_GRACE_SECONDS, PAUSE_GRACE_SECONDS, QueueWatcher
from bot.handoff.desk import ServiceDesk
from bot.handoff.models import Handoff, HandoffReason, HandoffStatus
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
        self.before: dict[str, int] = {}  # of customer_lines: written before joining the queue
        self.extra: dict[str, list[TranscriptLine]] = {}
        self.unpaused: set[str] = set()
        self.resumed_at: dict[str, datetime] = {}
        self.down = False
        self.states: list[dict | None] = []

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
        state: dict | None = None,
    ) -> None:
        self._record("say", conversation_id, text)
        self.states.append(state)

    def back_to_bot(self, conversation_id: str, action: str, messages: list, slots: dict) -> None:
        self._record("back_to_bot", conversation_id, action, [m["text"] for m in messages])
        self.unpaused.add(conversation_id)

    def pause(self, conversation_id: str) -> None:
        self._record("pause", conversation_id)
        self.unpaused.discard(conversation_id)

    def conversation(self, conversation_id: str) -> ConversationState:
        if self.down:
            raise RasaUnavailable("down")
        now, earlier = datetime.now(timezone.utc), datetime.now(timezone.utc) - timedelta(hours=1)
        before = self.before.get(conversation_id, 0)
        lines = tuple(
            TranscriptLine("customer", f"Nachricht {n}", earlier if n < before else now, intent="inform")
            for n in range(self.customer_lines.get(conversation_id, 0))
        ) + tuple(self.extra.get(conversation_id, ()))
        return ConversationState(
            conversation_id, conversation_id not in self.unpaused, {}, lines, "webchat",
            resumed_at=self.resumed_at.get(conversation_id),
        )

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
    ack = texts.still_waiting_eta.format(wait="eine Minute")  # with how long it still takes
    desk, rasa, clock = _desk(store), RecordingRasa(), Clock()
    watcher = QueueWatcher(desk, rasa, clock=clock)
    _queue(desk, "c1")
    rasa.customer_lines["c1"] = rasa.before["c1"] = 3  # what was written before joining the queue
    watcher.tick()
    assert ack not in rasa.said("c1")
    rasa.customer_lines["c1"] = 4
    clock.now += 2
    watcher.tick()
    assert rasa.said("c1").count(ack) == 1
    rasa.customer_lines["c1"] = 5
    clock.now += 2
    watcher.tick()
    assert rasa.said("c1").count(ack) == 1  # not again within a minute
    rasa.customer_lines["c1"] = 6
    clock.now += ACK_EVERY_SECONDS
    watcher.tick()
    assert rasa.said("c1").count(ack) == 2


def test_outside_service_hours_waiting_customers_get_a_callback_offer(store):
    texts = load_handoff_texts()
    desk, rasa = _desk(store, NEVER), RecordingRasa()
    handoff = _queue(desk, "c1")
    QueueWatcher(desk, rasa, clock=Clock()).tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.ABANDONED
    closed = texts.closed.format(hours=NEVER.describe())
    # One request: as if action_handoff found nobody, so its rules take "ja" to a callback.
    assert rasa.calls == [("back_to_bot", "c1", "action_handoff", [closed, texts.callback_offer])]
    assert [a for _, _, a, _ in desk.queue.audit(handoff.id)] == ["queued", "abandoned"]


def test_a_release_rasa_could_not_hear_is_retried(store):
    desk, rasa = _desk(store, NEVER), RecordingRasa()
    watcher = QueueWatcher(desk, rasa, clock=Clock())
    handoff = _queue(desk, "c1")
    rasa.down = True
    watcher.tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.WAITING  # not left paused and forgotten
    rasa.down = False
    watcher.tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.ABANDONED
    assert [c[0] for c in rasa.calls] == ["back_to_bot"]


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
    # Told at once that nobody is there and how long the bot waits; then one
    # message on why, and the callback offer (not two near-identical ones).
    texts = load_handoff_texts()
    assert rasa.said("c1") == [texts.nobody_now.format(wait=texts.wait_words(NOBODY_GRACE_SECONDS // 60))]
    assert rasa.calls[-1] == ("back_to_bot", "c1", "action_handoff", [texts.gave_up, texts.callback_offer])


def test_a_first_message_right_after_joining_the_queue_is_acknowledged(store):
    texts = load_handoff_texts()
    desk, rasa, clock = _desk(store), RecordingRasa(), Clock()
    watcher = QueueWatcher(desk, rasa, clock=clock)
    _queue(desk, "c1")
    rasa.customer_lines["c1"] = 1  # "Hallo? Ist da jemand?" before the watcher's first round
    watcher.tick()
    assert texts.still_waiting_eta.format(wait="eine Minute") in rasa.said("c1")


def test_a_wrong_estimate_is_corrected_once_it_has_passed(store):
    texts = load_handoff_texts()
    desk, rasa, clock = _desk(store), RecordingRasa(), Clock()
    watcher = QueueWatcher(desk, rasa, clock=clock)
    first, second = _queue(desk, "c1"), _queue(desk, "c2")
    desk.queue.claim(first.id, "anna")  # anna is busy: c2 waits
    watcher.tick()
    told = rasa.said("c2")
    assert told == [texts.position(1, 6)]
    clock.now += 6 * 60  # the six minutes are over, but not the grace
    watcher.tick()
    assert rasa.said("c2") == told
    clock.now += 31
    watcher.tick()
    late = rasa.said("c2")[-1]
    assert late == texts.estimate_late.format(wait=texts.wait_words(6))
    assert rasa.states[-1] == texts.queue_state(1, 6)  # the widget's header shows the new estimate
    watcher.tick()
    assert rasa.said("c2").count(late) == 1  # not again until the new estimate has passed
    assert desk.queue.get(second.id).status is HandoffStatus.WAITING


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
    assert rasa.calls == [("back_to_bot", "c1", "action_handoff_returned", [texts.left_queue])]
    assert desk.queue.audit(handoff.id)[-1][1:3] == ("customer", "abandoned")


def test_queue_messages_carry_the_leave_button():
    assert load_handoff_texts().leave_button() == [{"title": "Nicht mehr warten", "payload": "/start_over"}]


def test_a_waiting_customer_whose_conversation_was_unpaused_leaves_the_queue(store):
    desk, rasa = _desk(store), RecordingRasa()
    handoff = _queue(desk, "c1")
    rasa.unpaused.add("c1")  # e.g. the session expired and the customer talks to the bot again
    rasa.resumed_at["c1"] = datetime.now(timezone.utc)
    QueueWatcher(desk, rasa, clock=Clock()).tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.ABANDONED
    assert rasa.calls == []


def test_a_handoff_whose_pause_is_not_saved_yet_stays_in_the_queue(store):
    # The action stores the handoff, then Rasa saves the turn with the pause: a
    # watcher round in between must not take the customer out of the queue.
    desk, rasa = _desk(store), RecordingRasa()
    handoff = _queue(desk, "c1")
    rasa.unpaused.add("c1")
    rasa.resumed_at["c1"] = handoff.created_at - timedelta(minutes=5)  # an earlier handback
    QueueWatcher(desk, rasa, clock=Clock()).tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.WAITING


def test_a_handoff_that_was_never_paused_is_given_up_after_a_minute(store):
    desk, rasa = _desk(store), RecordingRasa()
    handoff = _queue(desk, "c1")
    with desk.queue._sessions.begin() as session:
        stored = session.get(Handoff, handoff.id)
        stored.created_at = datetime.now(timezone.utc) - timedelta(seconds=PAUSE_GRACE_SECONDS)
    rasa.unpaused.add("c1")
    QueueWatcher(desk, rasa, clock=Clock()).tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.ABANDONED


def test_an_active_chat_stays_paused_for_the_bot(store):
    desk, rasa = _desk(store), RecordingRasa()
    handoff = _queue(desk, "c1")
    desk.queue.claim(handoff.id, "anna")
    rasa.unpaused.add("c1")
    QueueWatcher(desk, rasa, clock=Clock()).tick()
    assert rasa.calls == [("pause", "c1")]


def test_a_chat_whose_agent_is_gone_goes_back_to_the_queue(store):
    texts = load_handoff_texts()
    desk, rasa, clock = _desk(store), RecordingRasa(), Clock()
    watcher = QueueWatcher(desk, rasa, clock=clock)
    handoff = _queue(desk, "c1")
    desk.queue.claim(handoff.id, "ghost")  # an agent without a console open (logged out, disabled)
    watcher.tick()
    assert desk.queue.get(handoff.id).status is HandoffStatus.ACTIVE  # a reload is not "gone"
    clock.now += NOBODY_GRACE_SECONDS
    watcher.tick()
    back = desk.queue.get(handoff.id)
    assert (back.status, back.agent) == (HandoffStatus.WAITING, None)
    assert rasa.said("c1")[0] == texts.requeued
    assert rasa.said("c1")[-1] == texts.position(1, 1)  # and the queue goes on: anna is free
    assert desk.queue.claim(handoff.id, "anna").agent == "anna"


def test_no_queue_message_after_an_agent_took_the_chat(store):
    desk, rasa = _desk(store), RecordingRasa()
    handoff = _queue(desk, "c1")
    stale = desk.queue.get(handoff.id)
    desk.queue.claim(handoff.id, "anna")
    watcher = QueueWatcher(desk, rasa, clock=Clock())
    watcher._tell_position(stale.id, "c1", 1, None)  # a round that read the list before the claim
    assert rasa.said("c1") == []
