"""From line measurements to a verdict, by the rules in knowledge/verdicts.yml.

Plain Python, no Rasa and no HTTP: a LineReport goes in, a Verdict comes out
(the route the diagnosis tree takes, a plain-German explanation, and the raw
measurements for the diagnosis summary).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List

import yaml
from pydantic import BaseModel, Field, root_validator, validator

from bot.diagnosis.model import PROBLEM_AREAS, LineVerdictRoute
from bot.german_time import german_time
from bot.linecheck.models import LineReport, Outage, Service
from bot.paths import knowledge_dir

TEXT_MEASUREMENTS = {"sync_state", "port_state", "sip_registration"}
NUMBER_MEASUREMENTS = {
    "actual_down_kbps",
    "booked_down_kbps",
    "down_ratio",
    "attenuation_db",
    "snr_margin_db",
    "crc_errors_24h",
    "errored_seconds_24h",
    "resyncs_24h",
}
PLACEHOLDERS = {"since", "outage_since", "outage_end", "actual_mbit", "booked_mbit", "resyncs"}


class Condition(BaseModel):
    measurement: str
    equals: str | None = None
    in_: List[str] | None = Field(None, alias="in")
    at_least: float | None = None
    below: float | None = None

    @root_validator(skip_on_failure=True)
    def _one_comparison(cls, values):  # noqa: N805 (pydantic)
        name = values["measurement"]
        used = [k for k in ("equals", "in_", "at_least", "below") if values.get(k) is not None]
        if len(used) != 1:
            raise ValueError(f"'{name}': exactly one of equals, in, at_least, below")
        if name in TEXT_MEASUREMENTS and used[0] not in ("equals", "in_"):
            raise ValueError(f"'{name}' is a text: compare with equals or in")
        if name in NUMBER_MEASUREMENTS and used[0] not in ("at_least", "below"):
            raise ValueError(f"'{name}' is a number: compare with at_least or below")
        if name not in TEXT_MEASUREMENTS | NUMBER_MEASUREMENTS:
            raise ValueError(f"unknown measurement '{name}'")
        return values

    def holds(self, values: Dict[str, str | float]) -> bool:
        value = values[self.measurement]
        if self.equals is not None:
            return value == self.equals
        if self.in_ is not None:
            return value in self.in_
        if self.at_least is not None:
            return float(value) >= self.at_least
        return float(value) < self.below


class VerdictRule(BaseModel):
    id: str
    route: LineVerdictRoute
    text: str = Field(..., min_length=10)
    text_without_end: str | None = None
    any: List[Condition] = []
    outage: bool = False
    always: bool = False
    areas: List[str] | None = None

    @validator("areas", each_item=True)
    def _known_area(cls, area):  # noqa: N805 (pydantic)
        if area not in PROBLEM_AREAS:
            raise ValueError(f"unknown problem area '{area}'")
        return area

    @root_validator(skip_on_failure=True)
    def _has_a_test(cls, values):  # noqa: N805 (pydantic)
        kinds = sum([bool(values["any"]), values["outage"], values["always"]])
        if kinds != 1:
            raise ValueError(f"verdict '{values['id']}': give exactly one of any, outage: true, always: true")
        for text in filter(None, (values["text"], values.get("text_without_end"))):
            for name in _placeholders(text) - PLACEHOLDERS:
                raise ValueError(f"verdict '{values['id']}': unknown placeholder {{{name}}}")
        return values


class OutageLookupTexts(BaseModel):
    found: str
    found_without_end: str
    none: str
    no_postal_code: str
    ask_postal_code: str
    postal_code_invalid: str
    unavailable: str
    service_names: Dict[Service, str]


class VerdictRules(BaseModel):
    services_by_area: Dict[str, List[Service]]
    verdicts: List[VerdictRule] = Field(..., min_items=1)
    unavailable: Dict[str, str]
    outage_lookup: OutageLookupTexts

    @root_validator(skip_on_failure=True)
    def _complete(cls, values):  # noqa: N805 (pydantic)
        missing = set(PROBLEM_AREAS) - set(values["services_by_area"])
        if missing:
            raise ValueError(f"services_by_area misses {', '.join(sorted(missing))}")
        if not values["verdicts"][-1].always:
            raise ValueError("the last verdict must be `always: true`, so every line gets one")
        if not values["unavailable"].get("text"):
            raise ValueError("unavailable.text is missing")
        return values


def _placeholders(text: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Verdict:
    id: str
    route: LineVerdictRoute
    text: str
    measurements: dict = field(default_factory=dict)  # raw values for the diagnosis summary


def _outage_end(outage: Outage | None, now: datetime) -> str:
    """ "bis 13:30 Uhr", or "" when no end is known or it has passed (it says nothing then)."""
    if outage is None or outage.expected_end is None or outage.expected_end <= now:
        return ""
    return f"bis {german_time(outage.expected_end, now)}"


def mbit(kbps: int) -> str:
    """ "95", or "0,8" below 10 Mbit/s, so a very slow line never reads "etwa 0"."""
    value = kbps / 1000
    return str(round(value)) if value >= 10 else f"{value:.1f}".replace(".", ",")



class VerdictBook:
    def __init__(self, rules: VerdictRules) -> None:
        self.rules = rules

    @classmethod
    def load(cls, path: Path | None = None) -> VerdictBook:
        path = path or knowledge_dir() / "verdicts.yml"
        return cls(VerdictRules.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8"))))

    @property
    def unavailable_text(self) -> str:
        return self.rules.unavailable["text"]

    @property
    def outage_texts(self) -> OutageLookupTexts:
        return self.rules.outage_lookup

    def describe_outages(self, outages: List[Outage], postal_code: str, now: datetime | None = None) -> str:
        """The answer to "Gibt es eine Störung in 50667?"."""
        now = now or datetime.now(timezone.utc)
        texts = self.rules.outage_lookup
        if not outages:
            return texts.none.format(postal_code=postal_code)
        outage = outages[0]
        outage_end = _outage_end(outage, now)
        names = [texts.service_names.get(s, s.value) for s in outage.affected_services]
        services = " und ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
        template = texts.found if outage_end else texts.found_without_end
        return template.format(
            postal_code=postal_code,
            outage_since=german_time(outage.since, now),
            outage_end=outage_end,
            services=services,
        )

    def judge(self, report: LineReport, area: str, now: datetime | None = None) -> Verdict:
        now = now or datetime.now(timezone.utc)
        status = report.status
        values: Dict[str, str | float] = {
            "sync_state": status.sync_state.value,
            "port_state": status.port_state.value,
            "sip_registration": status.sip_registration.value,
            "actual_down_kbps": status.actual_down_kbps,
            "booked_down_kbps": status.booked_down_kbps,
            "down_ratio": round(status.down_ratio, 3),
            "attenuation_db": status.attenuation_db,
            "snr_margin_db": status.snr_margin_db,
            "crc_errors_24h": status.crc_errors_24h,
            "errored_seconds_24h": status.errored_seconds_24h,
            "resyncs_24h": status.resyncs_24h,
        }
        services = set(self.rules.services_by_area.get(area, [Service.INTERNET]))
        outage = next((o for o in report.outages if services & set(o.affected_services)), None)
        fill = {
            "since": german_time(status.last_state_change, now),
            "actual_mbit": mbit(status.actual_down_kbps),
            "booked_mbit": mbit(status.booked_down_kbps),
            "resyncs": status.resyncs_24h,
            "outage_since": german_time(outage.since, now) if outage else "",
            "outage_end": _outage_end(outage, now),
        }
        for rule in self.rules.verdicts:
            if rule.areas is not None and area not in rule.areas:
                continue
            if rule.outage and outage is None:
                continue
            if rule.any and not any(c.holds(values) for c in rule.any):
                continue
            text = rule.text
            if rule.outage and not fill["outage_end"] and rule.text_without_end:
                text = rule.text_without_end
            measurements = {
                "line_id": report.line.line_id,
                "technology": report.line.technology.value,
                "measured_at": status.measured_at.isoformat(),
                "last_state_change": status.last_state_change.isoformat(),
                **values,
            }
            if outage:
                measurements["outage_id"] = outage.outage_id
                measurements["outage_expected_end"] = outage.expected_end.isoformat() if outage.expected_end else None
            return Verdict(rule.id, rule.route, text.format(**fill), measurements)
        raise AssertionError("unreachable: the last rule is `always: true`")
