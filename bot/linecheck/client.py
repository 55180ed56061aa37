"""Client of the line-diagnostics backend (API: openapi.yaml next to this file).

One class for the one external system. A dead or slow backend must cost the
customer a few seconds once, never on every message:
- connect and read timeouts on every request;
- bounded retries with backoff (urllib3 Retry) for connection errors and 502/503/504,
  never for read timeouts (a slow backend would only get slower);
- a circuit breaker (pybreaker): after a failed check it stays open for
  `reset_seconds`, and every check fails fast in the meantime.

Results are typed (bot.linecheck.models); failures are typed errors, so the
conversation can say honestly what happened.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pybreaker
import requests
from pydantic import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bot.linecheck.models import CustomerLines, LineReport, LineStatus, Outage, OutageList

DEFAULT_URL = "http://127.0.0.1:8085"


class LineCheckError(Exception):
    """Base class: the line could not be checked."""


class CustomerNotFound(LineCheckError):
    """Customer number and postal code do not belong together (or do not exist)."""


class InvalidIdentification(LineCheckError):
    """Customer number or postal code malformed; nothing was sent to the backend."""


class BackendUnavailable(LineCheckError):
    """Backend down, too slow, failing, or the circuit breaker is open."""


class BadResponse(BackendUnavailable):
    """The backend answered something that is not the documented JSON."""


@dataclass(frozen=True)
class ClientSettings:
    base_url: str = DEFAULT_URL
    connect_timeout: float = 1.0
    read_timeout: float = 2.5
    retries: int = 2
    backoff: float = 0.1
    failures_to_open: int = 1
    reset_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> ClientSettings:
        env = os.environ
        return cls(
            base_url=env.get("LINE_API_URL", DEFAULT_URL).rstrip("/"),
            connect_timeout=float(env.get("LINE_API_CONNECT_TIMEOUT", cls.connect_timeout)),
            read_timeout=float(env.get("LINE_API_READ_TIMEOUT", cls.read_timeout)),
            reset_seconds=float(env.get("LINE_API_BREAKER_RESET", cls.reset_seconds)),
        )


_NUMBER = re.compile(r"\d{10}")
_POSTAL = re.compile(r"\d{5}")


class LineDiagnosticsClient:
    def __init__(self, settings: ClientSettings | None = None) -> None:
        self.settings = settings or ClientSettings.from_env()
        retry = Retry(
            total=self.settings.retries,
            connect=self.settings.retries,
            read=0,
            status=self.settings.retries,
            backoff_factor=self.settings.backoff,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        self._session = requests.Session()
        self._session.mount("http://", HTTPAdapter(max_retries=retry))
        self._session.mount("https://", HTTPAdapter(max_retries=retry))
        self._session.headers["Accept"] = "application/json"
        token = os.environ.get("LINE_API_TOKEN")
        if token:  # a real backend wants credentials; they come from the environment
            self._session.headers["Authorization"] = f"Bearer {token}"
        # "Not found" is a correct answer, not a backend failure: it must not open the breaker.
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=self.settings.failures_to_open,
            reset_timeout=self.settings.reset_seconds,
            exclude=[CustomerNotFound, InvalidIdentification],
            throw_new_error_on_trip=False,  # the customer hears why, not just "circuit open"
        )

    # -- the three documented calls -------------------------------------------------

    def lines(self, customer_number: str, postal_code: str) -> CustomerLines:
        if not _NUMBER.fullmatch(customer_number) or not _POSTAL.fullmatch(postal_code):
            raise InvalidIdentification("customer number must have 10 digits, postal code 5")
        data = self._get(f"/v1/customers/{customer_number}/lines", {"postal_code": postal_code})
        return self._parse(CustomerLines, data)

    def status(self, line_id: str) -> LineStatus:
        return self._parse(LineStatus, self._get(f"/v1/lines/{line_id}/status"))

    def outages(self, postal_code: str) -> OutageList:
        if not _POSTAL.fullmatch(postal_code):
            raise InvalidIdentification("postal code must have 5 digits")
        return self._parse(OutageList, self._get("/v1/outages", {"postal_code": postal_code}))

    def check(self, customer_number: str, postal_code: str) -> LineReport:
        """Lines, status of the first line and area outages: one line check.

        Runs under the circuit breaker as a whole, so a dead backend costs one
        round of timeouts, and then nothing until the breaker tries again.
        """
        return self._guarded(self._check, customer_number, postal_code)

    def verify(self, customer_number: str, postal_code: str) -> CustomerLines:
        """Do number and postal code belong together? (CustomerNotFound if not.)"""
        return self._guarded(self.lines, customer_number, postal_code)

    def area_outages(self, postal_code: str) -> list[Outage]:
        """Known outages for a postal code, under the circuit breaker."""
        return self._guarded(self.outages, postal_code).outages

    def _guarded(self, call, *args):
        try:
            return self.breaker.call(call, *args)
        except pybreaker.CircuitBreakerError as error:
            raise BackendUnavailable("line diagnostics temporarily switched off (circuit open)") from error

    def _check(self, customer_number: str, postal_code: str) -> LineReport:
        found = self.lines(customer_number, postal_code)
        line = found.lines[0]
        return LineReport(line=line, status=self.status(line.line_id), outages=self.outages(postal_code).outages)

    # -- plumbing -------------------------------------------------------------------

    def _get(self, path: str, params: dict | None = None) -> object:
        try:
            response = self._session.get(
                self.settings.base_url + path,
                params=params,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            )
        except requests.RequestException as error:
            raise BackendUnavailable(f"no answer from the line diagnostics ({type(error).__name__})") from None
        if response.status_code == 404:
            raise CustomerNotFound("no customer with this number and postal code")
        if response.status_code == 422:
            raise InvalidIdentification("the backend rejected the customer number or postal code")
        if response.status_code != 200:
            raise BackendUnavailable(f"line diagnostics answered HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise BadResponse("line diagnostics answered with malformed JSON") from None

    @staticmethod
    def _parse(model, data):
        try:
            return model.parse_obj(data)
        except (ValidationError, TypeError) as error:
            raise BadResponse(f"line diagnostics answered an unexpected format ({model.__name__})") from error
