"""More of the handoff queue (callbacks, history, tickets) and the service hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from bot.handoff.models import HandoffReason, HandoffStatus
from bot.handoff.queue import DAYS, AlreadyTaken, HandoffQueue, ServiceHours


@pytest.fixture
def queue(store):
    return HandoffQueue(store)


def _enqueue(queue, conversation="c1"):
    return queue.enqueue(conversation, "webchat", HandoffReason.CUSTOMER_REQUEST, area="internet_down")


def _callback(queue, conversation="c1", contact="+491701234567"):
    return queue.request_callback(
        conversation, "webchat", HandoffReason.DIAGNOSIS, contact, area="internet_down", summary_text="Thema: Internet"
    )


# -- callbacks ----------------------------------------------------------------------


def test_a_callback_request_is_listed_for_agents_with_its_contact(queue):
    waiting = _enqueue(queue, "c0")
    callback = _callback(queue)
    assert callback.status is HandoffStatus.CALLBACK
    assert (callback.contact, callback.area, callback.summary_text) == (
        "+491701234567",
        "internet_down",
        "Thema: Internet",
    )
    assert not callback.is_open

    stored = queue.get(callback.id)
    assert stored.contact == "+491701234567" and stored.status is HandoffStatus.CALLBACK
    assert [h.id for h in queue.listing((HandoffStatus.CALLBACK,))] == [callback.id]
    assert [h.id for h in queue.listing((HandoffStatus.WAITING,))] == [waiting.id]
    assert queue.waiting() == [queue.get(waiting.id)]  # callbacks do not wait in the chat queue
    assert [(actor, action, detail) for _, actor, action, detail in queue.audit(callback.id)] == [
        ("bot", "callback", "diagnosis")
    ]


def test_a_callback_does_not_block_a_chat_for_the_same_conversation(queue):
    _callback(queue, "c1")
    assert queue.open_for("c1") is None
    assert _enqueue(queue, "c1").status is HandoffStatus.WAITING


def test_a_callback_is_completed_once(queue):
    callback = _callback(queue)
    done = queue.complete_callback(callback.id, "anna", "erreicht, Termin gemacht")
    assert (done.status, done.agent) == (HandoffStatus.DONE, "anna")
    assert done.ended_at is not None
    assert queue.listing((HandoffStatus.CALLBACK,)) == []
    with pytest.raises(AlreadyTaken):
        queue.complete_callback(callback.id, "ben")
    assert queue.get(callback.id).agent == "anna"
    assert [(actor, action, detail) for _, actor, action, detail in queue.audit(callback.id)] == [
        ("bot", "callback", "diagnosis"),
        ("agent:anna", "callback_done", "erreicht, Termin gemacht"),
    ]


def test_only_callbacks_can_be_completed_as_callbacks(queue):
    waiting = _enqueue(queue)
    with pytest.raises(AlreadyTaken):
        queue.complete_callback(waiting.id, "anna")
    assert queue.get(waiting.id).status is HandoffStatus.WAITING


# -- leaving the queue, history -----------------------------------------------------


def test_only_a_waiting_chat_can_be_abandoned(queue):
    waiting = _enqueue(queue, "c1")
    active = _enqueue(queue, "c2")
    queue.claim(active.id, "anna")

    assert queue.abandon(active.id, "bot", "Kunde weg") is None
    assert queue.get(active.id).status is HandoffStatus.ACTIVE

    left = queue.abandon(waiting.id, "customer", "Fenster geschlossen")
    assert left.status is HandoffStatus.ABANDONED and left.ended_at is not None
    assert queue.position("c1") is None
    assert queue.abandon(waiting.id, "customer") is None  # not twice
    assert [(actor, action, detail) for _, actor, action, detail in queue.audit(waiting.id)] == [
        ("bot", "queued", "customer_request"),
        ("customer", "abandoned", "Fenster geschlossen"),
    ]


def test_open_for_finds_the_waiting_or_active_chat_only(queue):
    assert queue.open_for("c1") is None
    handoff = _enqueue(queue, "c1")
    assert queue.open_for("c1").status is HandoffStatus.WAITING
    queue.claim(handoff.id, "anna")
    opened = queue.open_for("c1")
    assert (opened.id, opened.status, opened.agent) == (handoff.id, HandoffStatus.ACTIVE, "anna")
    assert opened.claimed_at is not None
    queue.finish(handoff.id, "anna", HandoffStatus.CLOSED)
    assert queue.open_for("c1") is None
    assert queue.open_for("c2") is None


def test_recent_lists_finished_chats_and_callbacks_newest_first(queue):
    returned = _enqueue(queue, "c1")
    queue.claim(returned.id, "anna")
    queue.finish(returned.id, "anna", HandoffStatus.RETURNED)
    abandoned = _enqueue(queue, "c2")
    queue.abandon(abandoned.id, "customer")
    callback = _callback(queue, "c3")
    done = _callback(queue, "c4")
    queue.complete_callback(done.id, "ben")
    active = _enqueue(queue, "c5")
    queue.claim(active.id, "anna")
    _enqueue(queue, "c6")  # waiting

    recent = queue.recent()
    assert [h.id for h in recent] == [done.id, abandoned.id, returned.id]
    assert [h.status for h in recent] == [HandoffStatus.DONE, HandoffStatus.ABANDONED, HandoffStatus.RETURNED]
    assert callback.id not in {h.id for h in recent}
    assert [h.id for h in queue.recent(limit=2)] == [done.id, abandoned.id]


def test_a_ticket_can_be_attached_and_is_audited(queue):
    handoff = _enqueue(queue)
    assert queue.get(handoff.id).ticket_number is None
    queue.attach_ticket(handoff.id, "T-ABCD-2345", "agent:anna")
    assert queue.get(handoff.id).ticket_number == "T-ABCD-2345"
    assert queue.audit(handoff.id)[-1][1:] == ("agent:anna", "ticket", "T-ABCD-2345")
    queue.attach_ticket(handoff.id, "0123456789ABCDEF", "bot")  # longer than the column: cut, not an error
    assert queue.get(handoff.id).ticket_number == "0123456789AB"


def test_the_notified_position_is_stored(queue):
    first = _enqueue(queue, "c1")
    second = _enqueue(queue, "c2")
    assert queue.get(first.id).notified_position is None
    queue.set_notified(first.id, 3)
    assert queue.get(first.id).notified_position == 3
    assert queue.get(second.id).notified_position is None
    queue.set_notified(first.id, 1)
    assert queue.get(first.id).notified_position == 1


# -- service hours ------------------------------------------------------------------


def test_the_configured_service_hours_read_as_german():
    assert ServiceHours.load().describe() == "Mo–Fr 8–20 Uhr, Sa 9–16 Uhr"


def test_describe_groups_only_neighbouring_days_with_the_same_hours():
    day = (time(8, 0), time(20, 0))
    hours = ServiceHours(
        {"monday": day, "tuesday": (time(8, 30), time(18, 0)), "wednesday": day, "thursday": day, "sunday": day},
        6.0,
    )
    assert hours.describe() == "Mo 8–20 Uhr, Di 8:30–18 Uhr, Mi–Do 8–20 Uhr, So 8–20 Uhr"
    assert ServiceHours({}, 6.0).describe() == ""


def _moments():
    """Every hour of a week around the switch to winter time, plus the edges of a day (Berlin)."""
    start = datetime(2026, 10, 23, 0, 0, tzinfo=timezone.utc)
    moments = [start + timedelta(minutes=37 * i) for i in range(7 * 24 * 60 // 37)]
    moments += [
        datetime(2026, 11, 22, 23, 0, tzinfo=timezone.utc),  # Monday 00:00 in Berlin
        datetime(2026, 11, 22, 22, 59, 59, tzinfo=timezone.utc),  # Sunday 23:59:59 in Berlin
    ]
    return moments


def test_service_hours_always(monkeypatch):
    monkeypatch.setenv("HANDOFF_SERVICE_HOURS", "always")
    hours = ServiceHours.from_env()
    assert all(hours.is_open(moment) for moment in _moments())
    assert hours.is_open()
    assert hours.average_chat_minutes == ServiceHours.load().average_chat_minutes
    assert set(hours.hours) == set(DAYS)


def test_service_hours_never(monkeypatch):
    monkeypatch.setenv("HANDOFF_SERVICE_HOURS", "never")
    hours = ServiceHours.from_env()
    assert not any(hours.is_open(moment) for moment in _moments())
    assert not hours.is_open()
    assert hours.wait_minutes(position=2, agents_online=1) == 6  # the estimate still works


def test_service_hours_from_env_default_and_file(monkeypatch, tmp_path):
    monkeypatch.delenv("HANDOFF_SERVICE_HOURS", raising=False)
    assert ServiceHours.from_env() == ServiceHours.load()
    custom = tmp_path / "service.yml"
    custom.write_text('service_hours:\n  sunday: ["10:00", "12:00"]\naverage_chat_minutes: 4\n', encoding="utf-8")
    monkeypatch.setenv("HANDOFF_SERVICE_HOURS", str(custom))
    hours = ServiceHours.from_env()
    assert hours.describe() == "So 10–12 Uhr" and hours.average_chat_minutes == 4
    assert hours.is_open(datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc))  # Sunday 11:00 in Berlin
    assert not hours.is_open(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))  # Monday


def test_a_handback_the_customer_could_not_hear_goes_back_to_the_agent(queue):
    handoff = _enqueue(queue)
    queue.claim(handoff.id, "anna")
    queue.finish(handoff.id, "anna", HandoffStatus.RETURNED)
    assert not queue.reactivate(handoff.id, "ben")  # only anna's own chat
    assert queue.reactivate(handoff.id, "anna")
    back = queue.get(handoff.id)
    assert (back.status, back.agent, back.ended_at) == (HandoffStatus.ACTIVE, "anna", None)
    assert [a for _, _, a, _ in queue.audit(handoff.id)][-1] == "reactivated"


def test_over_long_conversation_ids_are_refused_not_cut(queue):
    with pytest.raises(ValueError):
        queue.enqueue("x" * 121, "rest", HandoffReason.CUSTOMER_REQUEST)
    assert queue.enqueue("x" * 120, "rest", HandoffReason.CUSTOMER_REQUEST).conversation_id == "x" * 120
