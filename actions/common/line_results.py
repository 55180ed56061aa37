"""The verdict book and an earlier line check result of this conversation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Dict, Tuple

from rasa_sdk import Tracker

from bot.diagnosis.model import LineVerdictRoute
from bot.identity import FAILED, SKIPPED, verified_identity
from bot.linecheck.models import LineReport
from bot.linecheck.verdict import VerdictBook

REPORT_FRESH_FOR = timedelta(minutes=30)

_BOOK: VerdictBook | None = None


def verdict_book() -> VerdictBook:
    global _BOOK
    if _BOOK is None:
        _BOOK = VerdictBook.load()
    return _BOOK


def known_line_result(tracker: Tracker, state) -> Tuple[LineVerdictRoute, Dict] | None:
    """The line result for a second line check in the same conversation, or None
    when the customer still has to be asked. Never asks twice: a fresh report
    is judged again for the new problem area; a failed or skipped
    identification means going on without a line check."""
    if tracker.get_slot("identification_status") in (FAILED, SKIPPED):
        return LineVerdictRoute.UNAVAILABLE, {"verdict": "unavailable", "text": ""}
    if verified_identity(tracker.slots) is None:
        return None  # a report of another (or no longer verified) customer says nothing here
    raw = tracker.get_slot("line_report")
    if not raw:
        return None
    try:
        report = LineReport.parse_raw(raw)
    except ValueError:
        return None
    if datetime.now(timezone.utc) - report.status.measured_at > REPORT_FRESH_FOR:
        return None  # an old measurement says nothing about today: measure again
    verdict = verdict_book().judge(report, state.area)
    return verdict.route, {"verdict": verdict.id, "text": verdict.text, "measurements": verdict.measurements}
