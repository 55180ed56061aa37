"""The ticket store on SQLite and on PostgreSQL (both real)."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.tickets.models import OutboxMessage, Ticket, TicketStatus
from bot.tickets.store import (
    NUMBER_ALPHABET,
    TicketNotFound,
    TicketRequest,
    TicketStore,
    TicketStoreUnavailable,
    normalize_number,
)
from tests.tickets.conftest import TRUNCATE_ALL


def _request(customer="4711000002", area="internet_down", key=None, **changes) -> TicketRequest:
    base = dict(
        request_key=key or uuid.uuid4().hex,
        customer_number=customer,
        postal_code="50667",
        area=area,
        summary={"steps": [{"node": "other_devices", "answer": "none_works"}]},
        summary_text="Thema: Internet geht gar nicht\n- Leitungsprüfung: fault",
        channel="rest",
        conversation_id="conv-1",
        line_id="L-50667-0002",
        verdict="line_fault",
        line_data={"sync_state": "down"},
    )
    return TicketRequest(**{**base, **changes})


def test_a_new_ticket_gets_a_readable_number_and_is_committed(store):
    opened = store.open_or_update(_request())
    assert opened.created
    assert re.fullmatch(rf"ST-[{NUMBER_ALPHABET}]{{6}}", opened.ticket.number)
    again = TicketStore(store.url)  # another connection sees it: it was committed
    assert again.get(opened.ticket.number).line_data == {"sync_state": "down"}
    again.close()


def test_a_retry_never_creates_a_second_ticket(store):
    request = _request(key="conv-1:internet_down")
    first = store.open_or_update(request)
    second = store.open_or_update(request)
    assert second.ticket.number == first.ticket.number and not second.created
    assert len(store.for_customer("4711000002")) == 1


def test_asking_again_adds_to_the_open_ticket(store):
    first = store.open_or_update(_request())
    second = store.open_or_update(_request(summary_text="Thema: Internet geht gar nicht\n- zweiter Versuch"))
    assert second.ticket.number == first.ticket.number and not second.created
    assert "zweiter Versuch" in second.ticket.summary_text and "Neue Meldung" in second.ticket.summary_text
    assert [h["kind"] for h in second.ticket.history] == ["created", "update"]


def test_another_problem_or_a_closed_ticket_means_a_new_one(store):
    first = store.open_or_update(_request())
    assert store.open_or_update(_request(area="phone_down")).created
    store.change_status(first.ticket.number, TicketStatus.RESOLVED, actor="cli:test")
    assert store.open_or_update(_request()).created


def test_status_changes_keep_a_history_with_actor_and_time(store):
    number = store.open_or_update(_request()).ticket.number
    when = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
    store.change_status(number, TicketStatus.IN_PROGRESS, actor="cli:anna")
    view = store.change_status(
        number, TicketStatus.TECHNICIAN_SCHEDULED, actor="cli:anna", note="Termin", appointment=when
    )
    assert view.status is TicketStatus.TECHNICIAN_SCHEDULED and view.appointment == when
    assert [(h["from"], h["to"], h["actor"]) for h in view.history[1:]] == [
        ("open", "in_progress", "cli:anna"),
        ("in_progress", "technician_scheduled", "cli:anna"),
    ]
    assert all(h["at"].tzinfo is not None for h in view.history)


def test_unknown_numbers_and_other_customers_show_nothing(store):
    store.open_or_update(_request(customer="4711000002"))
    with pytest.raises(TicketNotFound):
        store.get("ST-ZZZZZZ")
    assert store.for_customer("4711000001") == []


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE tickets; --",
        "<script>alert('x')</script>",
        "Robert'); DELETE FROM ticket_events WHERE ('1'='1",
        "\u202eevil",
    ],
)
def test_hostile_text_is_stored_as_data(store, hostile):
    number = store.open_or_update(_request(summary_text=hostile)).ticket.number
    assert store.get(number).summary_text == hostile
    store.change_status(number, TicketStatus.IN_PROGRESS, actor=hostile, note=hostile)
    assert store.get(number).history[-1]["note"] == hostile


def test_long_text_is_cut(store):
    number = store.open_or_update(_request(summary_text="x" * 50_000)).ticket.number
    assert len(store.get(number).summary_text) == 20_000


def test_every_write_puts_a_message_into_the_outbox(store):
    number = store.open_or_update(_request()).ticket.number
    store.change_status(number, TicketStatus.IN_PROGRESS, actor="cli:test")
    with store.engine.connect() as connection:
        kinds = connection.execute(select(OutboxMessage.kind).order_by(OutboxMessage.id)).scalars().all()
    assert kinds == ["created", "updated"]


def test_ticket_numbers_typed_by_customers():
    assert normalize_number("st 7k4m9q") == "ST-7K4M9Q"
    assert normalize_number("7K4-M9Q") == "ST-7K4M9Q"


def test_a_dead_database_is_a_clear_error_never_a_number():
    dead = TicketStore("postgresql://postgres@127.0.0.1:1/nothing")
    with pytest.raises(TicketStoreUnavailable):
        dead.open_or_update(_request())
    with pytest.raises(TicketStoreUnavailable):
        dead.get("ST-ABCDEF")
    dead.close()


def test_fifty_parallel_creates_on_postgres_get_unique_numbers(postgres_url):
    from bot.tickets.store import migrate

    migrate(postgres_url)
    store = TicketStore(postgres_url)
    with store.engine.begin() as connection:
        connection.exec_driver_sql(TRUNCATE_ALL)
    customers = [f"47110{i:05d}" for i in range(50)]
    with ThreadPoolExecutor(max_workers=25) as pool:
        opened = list(pool.map(lambda c: store.open_or_update(_request(customer=c)), customers))
    numbers = {o.ticket.number for o in opened}
    assert len(numbers) == 50 and all(o.created for o in opened)
    # The same customer and problem from 20 parallel conversations: exactly one ticket.
    with ThreadPoolExecutor(max_workers=20) as pool:
        same = list(pool.map(lambda _: store.open_or_update(_request(customer="4711999999")), range(20)))
    assert len({o.ticket.number for o in same}) == 1 and sum(o.created for o in same) == 1
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Ticket)).scalar_one() == 51
    store.close()
