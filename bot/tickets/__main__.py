"""Ticket command line: migrate, list, show, status, flush the spool.

    python -m bot.tickets migrate                      # schema to the newest Alembic revision
    python -m bot.tickets list [--status open]
    python -m bot.tickets show ST-7K4M9Q
    python -m bot.tickets status ST-7K4M9Q technician_scheduled \\
        --appointment "2026-11-23 08:00" --note "Termin mit Kundin vereinbart"
    python -m bot.tickets flush-spool                  # write reports the database could not take
    python -m bot.tickets worker                       # keeps flushing the spool; exports to HELPDESK_URL

The database is DATABASE_URL (default: SQLite under var/). Status changes are
recorded with the operating system user as actor ("cli:<user>").
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timezone

from bot.german_time import GERMAN_TIME
from bot.nlu.numbers import mask_personal_numbers
from bot.tickets.models import TicketStatus
from bot.tickets.spool import TicketSpool
from bot.tickets.store import TicketError, TicketNotFound, TicketStore, migrate, normalize_number


def _local(moment: datetime | None) -> str:
    return moment.astimezone(GERMAN_TIME).strftime("%d.%m.%Y %H:%M") if moment else "-"


def _appointment(text: str) -> datetime:
    """ "2026-11-23 08:00" in German time -> UTC."""
    local = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=GERMAN_TIME)
    return local.astimezone(timezone.utc)


def _worker(store: TicketStore, interval: float) -> int:
    import logging
    import os

    from bot.logging_mask import install, protect_process_output
    from bot.tickets.helpdesk import OutboxWorker, WebhookHelpdesk

    protect_process_output()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install()
    url = os.environ.get("HELPDESK_URL")
    adapter = WebhookHelpdesk(url, os.environ.get("HELPDESK_TOKEN")) if url else None
    logging.getLogger(__name__).info(
        "ticket worker: spool every %.0f s; helpdesk export %s", interval, "to HELPDESK_URL" if url else "off"
    )
    try:
        OutboxWorker(store, adapter, TicketSpool()).run_forever(interval)
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tickets", description="Fault tickets")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the schema to the newest revision")
    listing = commands.add_parser("list", help="newest tickets first")
    listing.add_argument("--status", choices=[s.value for s in TicketStatus])
    listing.add_argument("--limit", type=int, default=50)
    show = commands.add_parser("show", help="one ticket with summary, line data and history")
    show.add_argument("number")
    change = commands.add_parser("status", help="change the status of a ticket")
    change.add_argument("number")
    change.add_argument("status", choices=[s.value for s in TicketStatus])
    change.add_argument("--note", default=None)
    change.add_argument("--appointment", type=_appointment, help='German time, "YYYY-MM-DD HH:MM"')
    commands.add_parser("flush-spool", help="write spooled reports to the database")
    worker = commands.add_parser("worker", help="flush the spool and deliver the outbox, forever")
    worker.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args(argv)

    if args.command == "migrate":
        migrate()
        print("Ticket database is up to date.")
        return 0
    store = TicketStore()
    try:
        if args.command == "list":
            status = TicketStatus(args.status) if args.status else None
            for ticket in store.list(status, args.limit):
                customer = mask_personal_numbers(ticket.customer_number)
                when = _local(ticket.created_at)
                print(f"{ticket.number}  {ticket.status.value:<21} {ticket.area:<18} {customer}  {when}")
        elif args.command == "show":
            ticket = store.get(normalize_number(args.number))
            print(f"{ticket.number}  status {ticket.status.value}  verdict {ticket.verdict or '-'}")
            print(f"customer {ticket.customer_number}  area {ticket.area}  appointment {_local(ticket.appointment)}")
            print(f"created {_local(ticket.created_at)}  updated {_local(ticket.updated_at)}\n")
            print(ticket.summary_text)
            if ticket.line_data:
                print("\nline data: " + ", ".join(f"{k}={v}" for k, v in ticket.line_data.items()))
            print("\nhistory:")
            for entry in ticket.history:
                change_text = f"{entry['from'] or ''} -> {entry['to']}" if entry["to"] else entry["kind"]
                print(f"  {_local(entry['at'])}  {entry['actor']:<16} {change_text}  {entry['note'] or ''}")
        elif args.command == "status":
            ticket = store.change_status(
                normalize_number(args.number),
                TicketStatus(args.status),
                actor=f"cli:{getpass.getuser()}",
                note=args.note,
                appointment=args.appointment,
            )
            print(f"{ticket.number} is now {ticket.status.value}.")
        elif args.command == "flush-spool":
            print(f"{TicketSpool().flush(store)} spooled report(s) written.")
        elif args.command == "worker":
            return _worker(store, args.interval)
    except TicketNotFound as error:
        print(f"No ticket {error}.", file=sys.stderr)
        return 1
    except TicketError as error:
        print(f"The ticket database is not available: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
