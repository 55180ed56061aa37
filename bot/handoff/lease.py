"""A lease in the project's database: one holder at a time for a job that must
run exactly once, however many processes could run it (the queue watcher in
`make run-scaled` or with several console pods).

The holder renews it each round; a holder that stops (crash, deploy) loses it
after `ttl` seconds and the next process takes over. Taking and renewing are
one conditional UPDATE (or the first INSERT), so two processes never both hold
it: on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from bot.handoff.models import Lease as LeaseRow
from bot.tickets.models import utcnow
from bot.tickets.store import TicketStore


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    def __init__(
        self,
        store: TicketStore,
        name: str,
        ttl_seconds: float = 15.0,
        holder: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = store.engine
        self.name = name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder or default_holder()
        self.clock = clock

    def acquire(self) -> bool:
        """Take or renew the lease; True while this holder has it."""
        table = LeaseRow.__table__
        now = self.clock()
        values = {"holder": self.holder, "expires_at": now + self.ttl}
        with self.engine.begin() as db:
            taken = db.execute(
                update(table)
                .where(table.c.name == self.name, or_(table.c.holder == self.holder, table.c.expires_at < now))
                .values(**values)
            ).rowcount
        if taken:
            return True
        try:
            with self.engine.begin() as db:
                db.execute(insert(table).values(name=self.name, **values))
            return True
        except IntegrityError:  # someone else holds it
            return False

    def release(self) -> None:
        table = LeaseRow.__table__
        with self.engine.begin() as db:
            db.execute(delete(table).where(table.c.name == self.name, table.c.holder == self.holder))
