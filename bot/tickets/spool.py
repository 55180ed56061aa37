"""A durable local spool for fault reports the database could not take.

When the ticket database is down, the bot must neither invent a number nor lose
the report. The request is written to a file (atomically, fsynced) and written to
the database later by `flush`, which is safe to repeat: the request key makes a
second write return the same ticket.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from bot.paths import PROJECT_ROOT
from bot.tickets.store import TicketRequest, TicketStore, TicketStoreUnavailable

DEFAULT_DIR = PROJECT_ROOT / "var" / "spool" / "tickets"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class TicketSpool:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or os.environ.get("TICKET_SPOOL_DIR") or DEFAULT_DIR)

    def _path(self, request_key: str) -> Path:
        return self.directory / f"{_SAFE.sub('_', request_key)}.json"

    def save(self, request: TicketRequest) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self._path(request.request_key)
        temporary = target.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(request.to_dict(), handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)  # atomic: a crash leaves the old file or the new one
        return target

    def pending(self) -> list[TicketRequest]:
        if not self.directory.exists():
            return []
        requests = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                requests.append(TicketRequest.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, TypeError):
                path.rename(path.with_suffix(".broken"))  # keep it for a human, never lose it
        return requests

    def pending_for(self, customer_number: str) -> list[TicketRequest]:
        return [r for r in self.pending() if r.customer_number == customer_number]

    def flush(self, store: TicketStore) -> int:
        """Write spooled reports to the database; returns how many were written.
        Stops at the first database error and keeps the rest for the next try."""
        written = 0
        for request in self.pending():
            try:
                store.open_or_update(request, actor="spool")
            except TicketStoreUnavailable:
                break
            self._path(request.request_key).unlink(missing_ok=True)
            written += 1
        return written
