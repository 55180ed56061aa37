"""Never lost: with the database down the report goes to the spool, and the
spool writes it exactly once when the database is back."""

from __future__ import annotations

from bot.tickets.spool import TicketSpool
from bot.tickets.store import TicketStore
from tests.tickets.test_store import _request

DEAD = "postgresql://postgres@127.0.0.1:1/nothing"


def test_spooled_reports_are_written_once_when_the_database_is_back(store, tmp_path):
    spool = TicketSpool(tmp_path / "spool")
    request = _request(key="conv-9:internet_down:4")
    spool.save(request)
    spool.save(request)  # the customer tapped twice: still one file, one ticket
    assert len(spool.pending()) == 1

    dead = TicketStore(DEAD)
    assert spool.flush(dead) == 0 and len(spool.pending()) == 1  # still down: kept
    dead.close()

    assert spool.flush(store) == 1 and spool.pending() == []
    assert len(store.for_customer(request.customer_number)) == 1
    spool.save(request)  # a late duplicate after the flush
    spool.flush(store)
    assert len(store.for_customer(request.customer_number)) == 1


def test_a_broken_spool_file_is_kept_aside_not_lost(tmp_path):
    spool = TicketSpool(tmp_path)
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    assert spool.pending() == []
    assert (tmp_path / "x.broken").exists()
