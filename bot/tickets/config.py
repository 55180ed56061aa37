"""Where the ticket store lives: DATABASE_URL, else an SQLite file under var/."""

from __future__ import annotations

import os

from bot.paths import PROJECT_ROOT

DEFAULT_SQLITE = PROJECT_ROOT / "var" / "tickets.db"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style "postgres://" is not a SQLAlchemy dialect name.
        return url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"
