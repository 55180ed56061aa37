"""The handoff queue on SQLite and PostgreSQL (both real)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from bot.handoff.models import HandoffReason, HandoffStatus
from bot.handoff.queue import AlreadyTaken, HandoffQueue, ServiceHours


@pytest.fixture
def queue(store):
    return HandoffQueue(store)


def _enqueue(queue, conversation="c1", reason=HandoffReason.CUSTOMER_REQUEST):
    return queue.enqueue(conversation, "webchat", reason, area="internet_down", summary_text="Thema: Internet")


def test_customers_wait_in_order_and_asking_twice_does_not_queue_twice(queue):
    first = _enqueue(queue, "c1")
    assert _enqueue(queue, "c1").id == first.id
    _enqueue(queue, "c2")
    assert [h.conversation_id for h in queue.waiting()] == ["c1", "c2"]
    assert queue.position("c2") == 2 and queue.position("nobody") is None


def test_two_agents_racing_for_one_chat_exactly_one_wins(queue):
    handoff = _enqueue(queue)
    start = threading.Barrier(10)

    def grab(agent):
        start.wait()
        try:
            return queue.claim(handoff.id, agent).agent
        except AlreadyTaken:
            return None

    with ThreadPoolExecutor(max_workers=10) as pool:
        winners = [w for w in pool.map(grab, [f"agent{i}" for i in range(10)]) if w]
    assert len(winners) == 1
    assert queue.position("c1") is None  # no longer waiting


def test_only_the_agent_who_took_it_hands_back_and_everything_is_audited(queue):
    handoff = _enqueue(queue)
    queue.claim(handoff.id, "anna")
    with pytest.raises(AlreadyTaken):
        queue.finish(handoff.id, "ben", HandoffStatus.RETURNED)
    queue.record(handoff.id, "agent:anna", "message", "Guten Tag, ich bin Anna.")
    assert queue.finish(handoff.id, "anna", HandoffStatus.RETURNED).status is HandoffStatus.RETURNED
    assert [(actor, action) for _, actor, action, _ in queue.audit(handoff.id)] == [
        ("bot", "queued"), ("agent:anna", "claimed"), ("agent:anna", "message"), ("agent:anna", "returned"),
    ]
    assert _enqueue(queue).id != handoff.id  # after the handback a new request queues again


def test_service_hours_and_wait_estimate():
    hours = ServiceHours.load()
    assert hours.is_open(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))  # Monday 10:00 in Germany
    assert not hours.is_open(datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc))  # Sunday
    assert not hours.is_open(datetime(2026, 11, 23, 20, 30, tzinfo=timezone.utc))  # Monday 21:30
    assert hours.wait_minutes(position=1, agents_online=2) == 1  # a free agent takes it at once
    assert hours.wait_minutes(position=3, agents_online=2) == 3  # one chat ahead of the free agents
    assert hours.wait_minutes(position=3, agents_online=2, chats_in_progress=2) == 9  # both busy
    with pytest.raises(ValueError):
        hours.wait_minutes(position=1, agents_online=0)
