"""Typed results of the line-diagnostics backend (see openapi.yaml next to this file).

pydantic 1.10 (Rasa's pin): parsing the backend's JSON here is where malformed
answers are caught, so nothing further down ever sees a half-valid measurement.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import List

from pydantic import BaseModel, Field


class Technology(str, Enum):
    DSL = "dsl"
    CABLE = "cable"
    FIBRE = "fibre"


class SyncState(str, Enum):
    UP = "up"
    DOWN = "down"
    TRAINING = "training"  # the modem is negotiating with the exchange


class PortState(str, Enum):
    UP = "up"
    DOWN = "down"
    DISABLED = "disabled"


class SipRegistration(str, Enum):
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    FAILED = "failed"


class Service(str, Enum):
    INTERNET = "internet"
    PHONE = "phone"
    TV = "tv"


class Line(BaseModel):
    line_id: str
    technology: Technology
    product: str
    booked_down_kbps: int = Field(..., ge=0)
    booked_up_kbps: int = Field(..., ge=0)


class CustomerLines(BaseModel):
    customer_number: str
    postal_code: str
    lines: List[Line] = Field(..., min_items=1)


class LineStatus(BaseModel):
    line_id: str
    measured_at: datetime
    sync_state: SyncState
    port_state: PortState
    booked_down_kbps: int = Field(..., ge=0)
    booked_up_kbps: int = Field(..., ge=0)
    actual_down_kbps: int = Field(..., ge=0)
    actual_up_kbps: int = Field(..., ge=0)
    attenuation_db: float
    snr_margin_db: float
    crc_errors_24h: int = Field(..., ge=0)
    errored_seconds_24h: int = Field(..., ge=0)
    resyncs_24h: int = Field(..., ge=0)
    last_state_change: datetime
    sip_registration: SipRegistration

    @property
    def down_ratio(self) -> float:
        """Actual over booked download rate; 0 without sync."""
        return self.actual_down_kbps / self.booked_down_kbps if self.booked_down_kbps else 0.0


class Outage(BaseModel):
    outage_id: str
    postal_code: str
    affected_services: List[Service]
    since: datetime
    expected_end: datetime | None = None
    description: str = ""


class OutageList(BaseModel):
    outages: List[Outage]


class LineReport(BaseModel):
    """Everything one line check found: what goes into the diagnosis summary."""

    line: Line
    status: LineStatus
    outages: List[Outage]
