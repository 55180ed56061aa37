"""Line check actions: identification form validation and the check itself.

Thin adapters over bot.linecheck (client, verdict rules) and the diagnosis
engine. The backend is called in a worker thread, so a slow backend never
blocks the action server for other conversations.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.diagnosis_flow import engine, present, say, state_of
from actions.common.events import slot_set_this_turn
from actions.common.line_results import verdict_book
from bot.diagnosis.model import LineVerdictRoute
from bot.identity import (
    FAILED,
    SKIPPED,
    UNCHECKED,
    VERIFIED_SLOT,
    customer_number_problem,
    verified_identity,
    verified_record,
)
from bot.identity import digits as _digits
from bot.identity_guard import IdentificationGuard
from bot.linecheck.client import (
    BackendUnavailable,
    CustomerNotFound,
    InvalidIdentification,
    LineDiagnosticsClient,
)
from bot.linecheck.models import LineReport
from bot.nlu.numbers import CUSTOMER_NUMBER, POSTAL_CODE, find_numbers
from bot.tickets.parsing import looks_like_ticket_number, ticket_number_in
from bot.tickets.store import TicketStoreUnavailable

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3

_CLIENT: LineDiagnosticsClient | None = None
_GUARD: IdentificationGuard | None = None


def line_client() -> LineDiagnosticsClient:
    """One client per action server: its circuit breaker must outlive a request."""
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = LineDiagnosticsClient()
    return _CLIENT


def identification_guard() -> IdentificationGuard:
    global _GUARD
    if _GUARD is None:
        _GUARD = IdentificationGuard()
    return _GUARD


def _raw_digits(tracker: Tracker) -> str | None:
    """Digits the customer typed that the number extractor did not accept as a
    customer number or postal code ("4711 00", "1011"): a try that counts."""
    text = (tracker.latest_message or {}).get("text") or ""
    if text.startswith("/") or find_numbers(text) or ticket_number_in(text) or looks_like_ticket_number(text):
        return None  # "ST-CW82B4" is a report number, not a customer number with letters
    digits = _digits(text)
    return digits if len(digits) >= 3 else None


class ValidateIdentificationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_identification_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[str]:
        # After three wrong tries the form ends; action_line_check offers a person.
        return [] if tracker.get_slot("identification_status") == FAILED else domain_slots

    async def extract_customer_number(self, dispatcher, tracker: Tracker, domain: Dict) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") == CUSTOMER_NUMBER and (raw := _raw_digits(tracker)):
            return {CUSTOMER_NUMBER: raw}
        return {}

    async def extract_postal_code(self, dispatcher, tracker: Tracker, domain: Dict) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") == POSTAL_CODE and (raw := _raw_digits(tracker)):
            return {POSTAL_CODE: raw}
        return {}

    def _failed_try(self, dispatcher: CollectingDispatcher, tracker: Tracker, text_key: str, **reset) -> Dict:
        attempts = int(tracker.get_slot("identification_attempts") or 0) + 1
        result: Dict[str, Any] = {**reset, "identification_attempts": attempts}
        if attempts >= MAX_ATTEMPTS:
            result["identification_status"] = FAILED
            result[CUSTOMER_NUMBER] = None
            result[POSTAL_CODE] = None
        else:
            say(dispatcher, text_key)
        return result

    async def _pair(self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, postal: str) -> Dict:
        """Both are well-formed: do they belong together? No line data before that.
        Only a confirmed pair is recorded as verified (bot/identity.py); a number
        that was checked wrongly too often is not checked at all (bot/identity_guard.py)."""
        cleared = {CUSTOMER_NUMBER: None, POSTAL_CODE: None, VERIFIED_SLOT: None}
        if verified_identity({**tracker.slots, CUSTOMER_NUMBER: number, POSTAL_CODE: postal}):
            return {CUSTOMER_NUMBER: number, POSTAL_CODE: postal}  # this very pair was confirmed already
        try:
            if await asyncio.to_thread(identification_guard().locked, number):
                say(dispatcher, "identification_locked")
                return {**cleared, "identification_status": FAILED}
            await asyncio.to_thread(line_client().verify, number, postal)
        except (CustomerNotFound, InvalidIdentification):
            try:
                failures = await asyncio.to_thread(identification_guard().record_failure, number)
            except TicketStoreUnavailable:
                failures = 0  # the per-conversation limit still applies
            if failures >= identification_guard().limit:
                say(dispatcher, "identification_locked")
                return {**cleared, "identification_status": FAILED}
            return self._failed_try(dispatcher, tracker, "identification_mismatch", **cleared)
        except (BackendUnavailable, TicketStoreUnavailable):
            # Cannot check now: keep what was said, but it is not verified, so
            # nothing about the customer is shown or filed (action_line_check says so).
            return {
                CUSTOMER_NUMBER: number,
                POSTAL_CODE: postal,
                VERIFIED_SLOT: None,
                "identification_status": UNCHECKED,
            }
        return {
            CUSTOMER_NUMBER: number,
            POSTAL_CODE: postal,
            VERIFIED_SLOT: verified_record(number, postal),
            "identification_status": None,
        }

    async def validate_customer_number(self, value: Any, dispatcher, tracker: Tracker, domain: Dict) -> Dict:
        number = _digits(value)
        if len(number) != 10:
            typed = (tracker.latest_message or {}).get("text") or str(value or "")
            problem = customer_number_problem(typed)
            return self._failed_try(dispatcher, tracker, problem, **{CUSTOMER_NUMBER: None})
        postal = _digits(tracker.get_slot(POSTAL_CODE))
        if len(postal) == 5:
            return await self._pair(dispatcher, tracker, number, postal)
        return {CUSTOMER_NUMBER: number}

    async def validate_postal_code(self, value: Any, dispatcher, tracker: Tracker, domain: Dict) -> Dict:
        postal = _digits(value)
        if len(postal) != 5:
            return self._failed_try(dispatcher, tracker, "postal_code_invalid", **{POSTAL_CODE: None})
        number = _digits(tracker.get_slot(CUSTOMER_NUMBER))
        if len(number) == 10:
            return await self._pair(dispatcher, tracker, number, postal)
        return {POSTAL_CODE: postal}


class ActionAskCustomerNumber(Action):
    def name(self) -> str:
        return "action_ask_customer_number"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        if slot_set_this_turn(tracker, "identification_attempts"):
            return []
        if tracker.get_slot("identify_for") == "status":
            from bot.tickets.texts import load_ticket_texts

            texts = load_ticket_texts()
            # A ticket number was given already: only the customer number is missing.
            ask = texts.status_ask_identity if tracker.get_slot("ticket_number") else texts.status_ask
            dispatcher.utter_message(text=ask)
        else:
            say(dispatcher, "ask_customer_number")
        return []


class ActionAskPostalCode(Action):
    def name(self) -> str:
        return "action_ask_postal_code"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        if not slot_set_this_turn(tracker, "identification_attempts"):
            say(dispatcher, "ask_postal_code")
        return []


class ActionLineCheck(Action):
    """After identification (or without it): check the line, tell the verdict,
    and continue the tree on the verdict's route."""

    def name(self) -> str:
        return "action_line_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        state = state_of(tracker)
        if state is None or engine().prompt(state).kind != "line_check":
            return [
                SlotSet("diagnosis_active", False),
                SlotSet("line_check_pending", False),
                SlotSet("ticket_offer", False),
            ]
        events: List[Dict] = []
        status = tracker.get_slot("identification_status")
        if status == FAILED:
            say(dispatcher, "identification_failed")
            return events + _continue(dispatcher, state, LineVerdictRoute.UNAVAILABLE, tracker)
        if status == UNCHECKED:  # the backend could not check the pair a moment ago
            dispatcher.utter_message(text=verdict_book().unavailable_text)
            return events + _continue(dispatcher, state, LineVerdictRoute.UNAVAILABLE, tracker)
        identity = verified_identity(tracker.slots)
        if identity is None:
            say(dispatcher, "identification_skipped")
            events.append(SlotSet("identification_status", SKIPPED))
            return events + _continue(dispatcher, state, LineVerdictRoute.UNAVAILABLE, tracker)
        number, postal = identity
        try:
            report = await asyncio.to_thread(line_client().check, number, postal)
        except CustomerNotFound:
            # Verified a moment ago, gone now: do not show anything, just go on.
            say(dispatcher, "identification_skipped")
            return events + _continue(dispatcher, state, LineVerdictRoute.UNAVAILABLE, tracker)
        except BackendUnavailable as error:
            logger.warning("line check unavailable: %s", error)
            dispatcher.utter_message(text=verdict_book().unavailable_text)
            return events + _continue(dispatcher, state, LineVerdictRoute.UNAVAILABLE, tracker)
        return events + judge_and_continue(dispatcher, state, report, tracker)


def judge_and_continue(dispatcher: CollectingDispatcher, state, report: LineReport, tracker: Tracker) -> List[Dict]:
    verdict = verdict_book().judge(report, state.area)
    dispatcher.utter_message(text=verdict.text)
    details = {"verdict": verdict.id, "text": verdict.text, "measurements": verdict.measurements}
    nxt = engine().line_result(state, verdict.route, details)
    return [SlotSet("line_report", report.json())] + present(dispatcher, nxt, tracker)


def _continue(dispatcher: CollectingDispatcher, state, route: LineVerdictRoute, tracker: Tracker) -> List[Dict]:
    details = {"verdict": route.value, "text": route.value}
    return present(dispatcher, engine().line_result(state, route, details), tracker)


class ValidateOutageForm(FormValidationAction):
    """ "Gibt es eine Störung in ...?": the postal code, in any common format."""

    def name(self) -> str:
        return "validate_outage_form"

    async def extract_postal_code(self, dispatcher, tracker: Tracker, domain: Dict) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") == POSTAL_CODE and (raw := _raw_digits(tracker)):
            return {POSTAL_CODE: raw}
        return {}

    async def validate_postal_code(self, value: Any, dispatcher, tracker: Tracker, domain: Dict) -> Dict:
        postal = _digits(value)
        if len(postal) != 5:
            dispatcher.utter_message(text=verdict_book().outage_texts.postal_code_invalid)
            return {POSTAL_CODE: None}
        return {POSTAL_CODE: postal}


class ActionAskOutagePostalCode(Action):
    def name(self) -> str:
        return "action_ask_outage_form_postal_code"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        dispatcher.utter_message(text=verdict_book().outage_texts.ask_postal_code)
        return []


class ActionOutageCheck(Action):
    """Known outages for the postal code, from the line-diagnostics backend."""

    def name(self) -> str:
        return "action_outage_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        postal = _digits(tracker.get_slot(POSTAL_CODE))
        book = verdict_book()
        if len(postal) != 5:
            dispatcher.utter_message(text=book.outage_texts.no_postal_code)
        else:
            try:
                found = await asyncio.to_thread(line_client().area_outages, postal)
            except (BackendUnavailable, InvalidIdentification) as error:
                logger.warning("outage lookup unavailable: %s", error)
                dispatcher.utter_message(text=book.outage_texts.unavailable)
            else:
                dispatcher.utter_message(text=book.describe_outages(found, postal))
        return []
