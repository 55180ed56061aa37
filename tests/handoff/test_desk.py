"""The service desk on SQLite and PostgreSQL (both real), with explicit service hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from bot.diagnosis.engine import Reply
from bot.handoff.desk import ServiceDesk
from bot.handoff.models import HandoffReason, HandoffStatus
from bot.handoff.queue import DAYS, ServiceHours

PASSWORD = "richtig-geheim-123"
ALWAYS = ServiceHours({day: (time(0, 0), time(23, 59, 59, 999999)) for day in DAYS}, 6.0)
CLOSED = ServiceHours({}, 6.0)


def _desk(store, hours: ServiceHours) -> ServiceDesk:
    # The shared PostgreSQL database is only truncated for tickets and handoffs.
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM agent_sessions")
        connection.exec_driver_sql("DELETE FROM agents")
    return ServiceDesk(store, hours)


@pytest.fixture
def desk(store):
    return _desk(store, ALWAYS)


def _online(desk: ServiceDesk, username: str) -> None:
    desk.agents.add(username, username.capitalize(), PASSWORD)
    assert desk.agents.login(username, PASSWORD) is not None


def _join(desk: ServiceDesk, conversation: str):
    return desk.join_queue(
        conversation, "webchat", HandoffReason.DIAGNOSIS, "internet_down", "Thema: Internet", "line_fault", None
    )


def test_nobody_can_queue_until_an_agent_is_online(desk):
    available = desk.availability()
    assert (available.in_service_hours, available.agents_online, available.can_queue) == (True, 0, False)
    _online(desk, "anna")
    available = desk.availability()
    assert (available.in_service_hours, available.agents_online, available.can_queue) == (True, 1, True)
    # A minute later without a poll from the console, Anna no longer counts.
    later = desk.availability(datetime.now(timezone.utc) + timedelta(minutes=2))
    assert (later.agents_online, later.can_queue) == (0, False)


def test_outside_service_hours_nobody_can_queue_even_with_agents_online(store):
    desk = _desk(store, CLOSED)
    _online(desk, "anna")
    available = desk.availability()
    assert (available.in_service_hours, available.agents_online, available.can_queue) == (False, 1, False)


def test_the_desk_uses_the_hours_it_was_given(store):
    monday_ten = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    sunday_noon = datetime(2026, 11, 22, 11, 0, tzinfo=timezone.utc)
    configured = _desk(store, ServiceHours.load())
    assert configured.availability(monday_ten).in_service_hours
    assert not configured.availability(sunday_noon).in_service_hours
    assert _desk(store, ALWAYS).availability(sunday_noon).in_service_hours


def test_joining_the_queue_gives_positions_and_a_wait_estimate(desk):
    _online(desk, "anna")
    first = _join(desk, "c1")
    second = _join(desk, "c2")
    assert (first.position, first.already, first.handoff.status) == (1, False, HandoffStatus.WAITING)
    assert (second.position, second.already) == (2, False)
    assert (first.minutes, second.minutes) == (1, 6)  # the free agent takes c1 at once; c2 waits one chat
    assert first.handoff.conversation_id == "c1" and first.handoff.verdict == "line_fault"


def test_joining_again_changes_nothing_and_says_so(desk):
    _online(desk, "anna")
    first = _join(desk, "c1")
    _join(desk, "c2")
    again = _join(desk, "c1")
    assert again.already is True
    assert again.handoff.id == first.handoff.id and again.position == 1
    assert [h.conversation_id for h in desk.queue.waiting()] == ["c1", "c2"]
    assert [action for _, _, action, _ in desk.queue.audit(first.handoff.id)] == ["queued"]


def test_more_agents_online_shorten_the_wait(desk):
    _online(desk, "anna")
    _join(desk, "c1")
    _join(desk, "c2")
    third = _join(desk, "c3")
    assert third.minutes == 12  # anna takes c1 at once; c2 and c3 wait one chat each
    assert desk.wait(1) == 1
    _online(desk, "ben")
    assert desk.wait(3) == 3  # two free agents, one chat ahead of them, shared by two
    assert _join(desk, "c4").minutes == 6
    assert desk.wait(1) <= desk.wait(3) < desk.wait(4)


def test_agents_busy_with_chats_make_the_next_one_wait(desk):
    _online(desk, "anna")
    first = _join(desk, "c1")
    assert desk.wait(1) == 1
    desk.queue.claim(first.handoff.id, "anna")
    assert desk.wait(1) == 6  # anna is talking to c1: the next waits about one chat


def test_the_wait_estimate_assumes_one_agent_when_none_is_online(desk):
    assert desk.wait(2) == 6


def test_the_position_told_to_the_customer_is_recorded(desk):
    _online(desk, "anna")
    first = _join(desk, "c1")
    second = _join(desk, "c2")
    assert desk.queue.get(first.handoff.id).notified_position == 1
    assert desk.queue.get(second.handoff.id).notified_position == 2
    desk.queue.claim(first.handoff.id, "anna")
    again = _join(desk, "c2")  # moved up: asking again records the new position
    assert (again.already, again.position) == (True, 1)
    assert desk.queue.get(second.handoff.id).notified_position == 1


def test_after_a_handback_the_bot_knows_the_chats_fault_report():
    from dataclasses import replace as _replace

    from bot.handoff.desk import AFTER_HANDOFF_SLOTS, after_handback
    from bot.handoff.queue import HandoffView
    from bot.handoff.texts import load_handoff_texts

    texts = load_handoff_texts()
    handoff = HandoffView(
        7, "c-1", "webchat", HandoffReason.DIAGNOSIS, "internet_down", "Thema: Internet", None, None,
        HandoffStatus.RETURNED, "mia", datetime(2026, 12, 1, tzinfo=timezone.utc),
    )
    messages, slots = after_handback(handoff, texts.handed_back, texts)
    buttons = texts.yes_no(texts.more_yes, texts.more_no)
    assert messages == [{"text": texts.handed_back, "buttons": buttons}] and slots == AFTER_HANDOFF_SLOTS

    messages, slots = after_handback(_replace(handoff, ticket_number="ST-2026-000042"), texts.handed_back, texts)
    assert slots["ticket_number"] == "ST-2026-000042"
    said = [m["text"] for m in messages]
    assert "ST-2026-000042" in said[1]
    # The question comes last: the customer's "ja" or "nein" answers it.
    assert said[0] == "Hier ist wieder Ihr digitaler Assistent."
    assert said[-1] == "Kann ich sonst noch etwas für Sie tun?"


def test_a_handback_with_the_diagnosis_left_open_offers_to_go_on_there():
    from bot.diagnosis.engine import DiagnosisEngine
    from bot.handoff.desk import RESUME_OFFER_ACTION, handback_messages, open_topic
    from bot.handoff.queue import HandoffView
    from bot.handoff.texts import load_handoff_texts

    engine, texts = DiagnosisEngine.load(), load_handoff_texts()
    handoff = HandoffView(
        8, "c-2", "webchat", HandoffReason.CUSTOMER_REQUEST, "internet_down", None, None, None,
        HandoffStatus.RETURNED, "mia", datetime(2026, 12, 1, tzinfo=timezone.utc),
    )
    running = {"diagnosis": engine.start("internet_down").to_dict()}
    topic = open_topic(handoff, running, engine)
    assert topic == "Internet geht gar nicht"
    action, messages, slots = handback_messages(handoff, texts, topic)
    assert action == RESUME_OFFER_ACTION and slots["diagnosis_active"] is False
    assert messages == [
        {"text": texts.handed_back_open.format(topic=topic), "buttons": texts.yes_no(texts.resume_yes, texts.resume_no)}
    ]
    # Nothing open: none ran, another area (slots from an earlier session), or it ended.
    assert open_topic(handoff, {}, engine) is None
    assert open_topic(handoff, {"diagnosis": engine.start("phone_down").to_dict()}, engine) is None
    solved = engine.answer(engine.start("internet_down"), Reply(text="es geht wieder! alles gut"))
    assert open_topic(handoff, {"diagnosis": solved.to_dict()}, engine) is None
    assert handback_messages(handoff, texts, None)[0] == "action_handoff_returned"


def test_a_report_offered_before_the_handoff_and_not_opened_is_offered_again():
    from dataclasses import replace as _replace

    from bot.handoff.desk import REPORT_OFFER_ACTION, handback_messages, report_offer, report_still_open
    from bot.handoff.queue import HandoffView
    from bot.handoff.texts import load_handoff_texts
    from bot.tickets.texts import load_ticket_texts

    texts, ticket_texts = load_handoff_texts(), load_ticket_texts()
    handoff = HandoffView(
        9, "c-3", "webchat", HandoffReason.CUSTOMER_REQUEST, "internet_down", None, None, None,
        HandoffStatus.RETURNED, "mia", datetime(2026, 12, 1, tzinfo=timezone.utc),
    )
    pending = {"report_pending": True}
    assert report_still_open(handoff, pending)
    action, messages, slots = handback_messages(handoff, texts, "Internet geht gar nicht", pending)
    assert action == REPORT_OFFER_ACTION
    # The consent rules take the yes: the offer is open again, the flag is used up.
    assert slots["ticket_offer"] is True and slots["report_pending"] is False and slots["diagnosis_active"] is False
    said = [m["text"] for m in messages]
    assert said == ["Hier ist wieder Ihr digitaler Assistent.", texts.report_still_open, ticket_texts.offer]
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/affirm", "/deny"]
    # The agent opened one, or one was opened before: nothing to offer.
    assert not report_still_open(_replace(handoff, ticket_number="ST-2026-000042"), pending)
    assert not report_still_open(handoff, {**pending, "ticket_number": "ST-2026-000042"})
    assert not report_still_open(handoff, {})
    assert handback_messages(handoff, texts, None, {})[0] == "action_handoff_returned"
    # Leaving the queue: its own words first, without the question.
    said = [m["text"] for m in report_offer(texts.left_queue, texts)[1]]
    assert said[0] == "In Ordnung, Sie warten nicht mehr auf unseren Kundenservice. Ich bin wieder für Sie da."
