"""Where the project's data lives; overridable for tests and deployments."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def knowledge_dir() -> Path:
    return Path(os.environ.get("KNOWLEDGE_DIR", PROJECT_ROOT / "knowledge"))
