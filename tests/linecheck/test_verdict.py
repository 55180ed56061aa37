"""Unit tests for bot.linecheck.verdict with the real rules in knowledge/verdicts.yml."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import yaml
from pydantic import ValidationError

from bot.diagnosis.model import LineVerdictRoute
from bot.linecheck.models import Line, LineReport, LineStatus, Outage
from bot.linecheck.verdict import VerdictBook, VerdictRules, german_time
from bot.paths import knowledge_dir

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)  # 10:30 German time
BOOK = VerdictBook.load()
HEALTHY = dict(
    sync_state="up", port_state="up", booked_down_kbps=100_000, booked_up_kbps=40_000, actual_down_kbps=97_000,
    actual_up_kbps=39_000, attenuation_db=14.0, snr_margin_db=9.0, crc_errors_24h=3, errored_seconds_24h=1,
    resyncs_24h=0, sip_registration="registered",
)


def _report(outages=(), **changes) -> LineReport:
    line = Line(line_id="L-1", technology="dsl", product="DSL 100", booked_down_kbps=100_000, booked_up_kbps=40_000)
    status = LineStatus(
        line_id="L-1", measured_at=NOW, last_state_change=NOW - timedelta(hours=3), **{**HEALTHY, **changes}
    )
    return LineReport(line=line, status=status, outages=list(outages))


def _outage(services=("internet", "phone"), end=True) -> Outage:
    return Outage(
        outage_id="ST-1", postal_code="80331", affected_services=list(services), since=NOW - timedelta(hours=1),
        expected_end=NOW + timedelta(hours=3) if end else None,
    )


@pytest.mark.parametrize(
    ("changes", "area", "expected"),
    [
        ({}, "internet_down", "line_ok"),
        ({"sync_state": "down", "actual_down_kbps": 0}, "internet_down", "line_fault"),
        ({"port_state": "disabled"}, "internet_down", "line_fault"),
        ({"resyncs_24h": 27, "crc_errors_24h": 18_000}, "internet_dropouts", "line_unstable"),
        ({"actual_down_kbps": 16_800, "snr_margin_db": 2.3}, "internet_slow", "line_slow"),
        ({"snr_margin_db": 2.3}, "internet_slow", "line_weak"),
        ({"sip_registration": "failed"}, "phone_down", "telephony_fault"),
        ({"sip_registration": "failed"}, "internet_down", "line_ok"),  # telephony only matters for the phone
        ({"resyncs_24h": 9}, "internet_dropouts", "line_ok"),  # just below the threshold
    ],
)
def test_measurements_map_to_a_verdict(changes, area, expected):
    assert BOOK.judge(_report(**changes), area, NOW).id == expected


def test_an_outage_wins_and_tells_the_expected_end():
    verdict = BOOK.judge(_report([_outage()], sync_state="down", actual_down_kbps=0), "internet_down", NOW)
    assert verdict.route is LineVerdictRoute.OUTAGE
    assert "seit 9:30 Uhr" in verdict.text and "voraussichtlich bis 13:30 Uhr behoben" in verdict.text
    assert verdict.measurements["outage_id"] == "ST-1"


def test_an_outage_without_end_says_so():
    verdict = BOOK.judge(_report([_outage(end=False)]), "internet_down", NOW)
    assert "steht leider noch nicht fest" in verdict.text


def test_an_outage_of_another_service_does_not_count():
    assert BOOK.judge(_report([_outage(services=("tv",))]), "email_problem", NOW).id == "line_ok"
    assert BOOK.judge(_report([_outage(services=("tv",))]), "tv_problem", NOW).id == "area_outage"


def test_fault_text_names_the_time_and_measurements_go_to_the_summary():
    verdict = BOOK.judge(_report(sync_state="down", actual_down_kbps=0), "internet_down", NOW)
    assert "seit 7:30 Uhr keine Verbindung" in verdict.text
    assert verdict.measurements["sync_state"] == "down" and verdict.measurements["line_id"] == "L-1"


def test_german_time():
    assert german_time(NOW - timedelta(days=1), NOW) == "gestern, 10:30 Uhr"
    assert german_time(NOW - timedelta(days=3), NOW) == "18.11., 10:30 Uhr"


def _rules(**change):
    raw = yaml.safe_load((knowledge_dir() / "verdicts.yml").read_text(encoding="utf-8"))
    raw["verdicts"][1]["any"][0] = {**raw["verdicts"][1]["any"][0], **change}
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"measurement": "sync_speed"}, "unknown measurement"),
        ({"at_least": 3}, "exactly one of"),
        ({"measurement": "resyncs_24h", "in": None, "equals": "down"}, "is a number"),
    ],
)
def test_rule_errors_are_reported(change, message):
    with pytest.raises(ValidationError, match=message):
        VerdictRules.parse_obj(_rules(**change))


def test_the_last_rule_must_catch_everything():
    raw = yaml.safe_load((knowledge_dir() / "verdicts.yml").read_text(encoding="utf-8"))
    raw["verdicts"] = raw["verdicts"][:-1]
    with pytest.raises(ValidationError, match="always"):
        VerdictRules.parse_obj(raw)


def test_outage_lookup_texts():
    assert "keine Störung bekannt" in BOOK.describe_outages([], "10115", NOW)
    text = BOOK.describe_outages([_outage(services=("internet", "phone", "tv"))], "80331", NOW)
    assert "Das betrifft: Internet, Telefon und Fernsehen" in text and "bis 13:30 Uhr" in text


def test_an_expected_end_in_the_past_is_not_repeated():
    overdue = _outage()
    overdue = overdue.copy(update={"expected_end": NOW - timedelta(minutes=30)})
    assert "steht leider noch nicht fest" in BOOK.judge(_report([overdue]), "internet_down", NOW).text
    assert "steht leider noch nicht fest" in BOOK.describe_outages([overdue], "80331", NOW)


def test_slow_and_weak_lines_are_told_apart():
    slow = BOOK.judge(_report(actual_down_kbps=800), "internet_slow", NOW)
    assert slow.id == "line_slow" and "etwa 0,8 Mbit/s" in slow.text
    weak = BOOK.judge(_report(snr_margin_db=2.0), "internet_slow", NOW)
    assert weak.id == "line_weak" and weak.route is LineVerdictRoute.SLOW and "Mbit" not in weak.text
