"""Fault report actions: consent, create (or add to the open one), status.

Thin adapters over bot.tickets. The database is called in a worker thread. A
ticket number is only said after the commit; when the database is down the
request goes to the durable spool and the customer hears exactly that.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import asdict, replace
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.diagnosis_flow import engine, state_of
from actions.common.events import slot_set_this_turn
from actions.common.offers import offer_human
from bot.diagnosis.model import PROBLEM_AREAS
from bot.german_time import german_date
from bot.handoff.models import HandoffReason
from bot.identity import FAILED, SKIPPED, UNCHECKED, verified_identity
from bot.tickets.models import Priority, TicketStatus
from bot.tickets.parsing import looks_like_ticket_number, parse_contact, ticket_number_in
from bot.tickets.spool import TicketSpool
from bot.tickets.store import (
    TicketNotFound,
    TicketRequest,
    TicketStore,
    TicketStoreUnavailable,
    TicketView,
)
from bot.tickets.texts import load_ticket_texts

logger = logging.getLogger(__name__)

_STORE: TicketStore | None = None
URGENT_VERDICTS = {"line_fault", "fault"}
CONTACT_NEEDED = {"line_fault", "area_outage", "telephony_fault"}  # the landline is down: the usual way to call back


def store() -> TicketStore:
    global _STORE
    if _STORE is None:
        _STORE = TicketStore()
    return _STORE


def spool() -> TicketSpool:
    return TicketSpool()


def _identified(tracker: Tracker) -> tuple[str, str] | None:
    return verified_identity(tracker.slots)


def _area_title(area: str) -> str:
    try:
        return engine().tree(area).title
    except Exception:  # an area removed from knowledge/ since: say the key
        return area


def _status_text(ticket: TicketView, identity: tuple[str, str] | None) -> str:
    """The whole status (dates, appointment) only for the verified owner of the
    ticket; for a ticket number alone, the status and the next step."""
    texts = load_ticket_texts()
    if identity is None or identity[0] != ticket.customer_number:
        return texts.for_status(ticket.status, public=True).format(number=ticket.number)
    template = texts.for_status(ticket.status)
    if ticket.status is TicketStatus.TECHNICIAN_SCHEDULED and ticket.appointment is None:
        template = texts.appointment_pending  # a technician will come, the date is not fixed yet
    return template.format(
        number=ticket.number,
        area=_area_title(ticket.area),
        created=german_date(ticket.created_at),
        updated=german_date(ticket.updated_at),
        appointment=german_date(ticket.appointment),
    )


def ticket_request(tracker: Tracker, customer_number: str, postal_code: str) -> TicketRequest | None:
    state = state_of(tracker)
    if state is None:
        return None
    summary = engine().summary(state)
    line_step = next((s for s in reversed(state.steps) if s.kind == "line_check"), None)
    details = (line_step.details or {}) if line_step else {}
    measurements = details.get("measurements") or None
    verdict = details.get("verdict")
    return TicketRequest(
        request_key=request_key(tracker.sender_id, state.area, len(state.steps)),
        customer_number=customer_number,
        postal_code=postal_code,
        area=state.area,
        summary=asdict(summary),
        summary_text=summary.as_text(),
        channel=(tracker.get_latest_input_channel() or "unknown")[:40],
        conversation_id=tracker.sender_id[:120],
        line_id=(measurements or {}).get("line_id"),
        verdict=verdict,
        line_data=measurements,
        outage_id=(measurements or {}).get("outage_id"),
        priority=Priority.HIGH if verdict in URGENT_VERDICTS else Priority.NORMAL,
    )


def request_key(sender_id: str, area: str, steps: int) -> str:
    """The same conversation, problem and point in the tree: a retry or a double
    tap on "Ja" never opens a second ticket. Keys longer than the column are
    hashed, never cut (cut keys of two problems could be the same)."""
    key = f"{sender_id}:{area}:{steps}"
    return key if len(key) <= 64 else hashlib.sha256(key.encode()).hexdigest()


class ActionTicketCreate(Action):
    def name(self) -> str:
        return "action_ticket_create"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        texts = load_ticket_texts()
        done = [SlotSet("ticket_offer", False), SlotSet("identify_for", "done")]
        identity = _identified(tracker)
        if identity is None:
            status = tracker.get_slot("identification_status")
            if status == UNCHECKED:
                # Number and postal code could not be checked (backend down): no
                # report under a number nobody confirmed. A person can check it.
                dispatcher.utter_message(text=texts.not_checked)
                return done + offer_human(HandoffReason.BACKEND_FAILURE)
            if status in (FAILED, SKIPPED) or tracker.active_loop.get("name"):
                dispatcher.utter_message(text=texts.no_identification)
                return done
            # Ask for customer number and postal code first (rules: identification_form).
            return [SlotSet("ticket_offer", True), SlotSet("identify_for", "ticket")]
        request = ticket_request(tracker, *identity)
        if request is None or request.area not in PROBLEM_AREAS:
            dispatcher.utter_message(text=texts.no_identification)
            return done
        said = parse_contact((tracker.latest_message or {}).get("text") or "")  # "ja bitte, 0171 ..."
        if request.verdict in CONTACT_NEEDED and not tracker.get_slot("contact_asked") and not said:
            # The landline is down: ask once how a technician reaches the customer.
            return [SlotSet("ticket_offer", True), SlotSet("identify_for", "contact"), SlotSet("contact_asked", True)]
        contact = parse_contact(tracker.get_slot("contact") or "") or said
        if contact:
            request = replace(request, contact=contact)
        try:
            opened = await asyncio.to_thread(store().open_or_update, request)
        except TicketStoreUnavailable as error:
            logger.warning("ticket store unavailable, report spooled: %s", error)
            await asyncio.to_thread(spool().save, request)
            dispatcher.utter_message(text=texts.store_down)
            return done + offer_human(HandoffReason.BACKEND_FAILURE)
        template = texts.created if opened.created else texts.existing
        dispatcher.utter_message(text=template.format(number=opened.ticket.number))
        typed = (tracker.latest_message or {}).get("text")
        stored = [SlotSet("contact", tracker.get_slot("contact") or typed)] if said else []
        return done + stored + [SlotSet("ticket_number", opened.ticket.number)]


class ActionTicketDecline(Action):
    def name(self) -> str:
        return "action_ticket_decline"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        dispatcher.utter_message(text=load_ticket_texts().declined)
        return [SlotSet("ticket_offer", False), SlotSet("identify_for", "done")]


class ActionTicketStatus(Action):
    """ "Was ist aus meiner Störungsmeldung geworden?": by number, or by the
    identified customer, and never another customer's data."""

    def name(self) -> str:
        return "action_ticket_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        texts = load_ticket_texts()
        done = [SlotSet("identify_for", "done")]
        text = (tracker.latest_message or {}).get("text") or ""
        number = ticket_number_in(text) or tracker.get_slot("ticket_number")
        if number is None and looks_like_ticket_number(text):
            dispatcher.utter_message(text=texts.status_not_found)  # says what a number looks like
            return done
        identity = _identified(tracker)
        try:
            if number:
                try:
                    ticket = await asyncio.to_thread(store().get, number)
                except TicketNotFound:
                    dispatcher.utter_message(text=texts.status_not_found)
                    return done
                dispatcher.utter_message(text=_status_text(ticket, identity))
                if identity is None and _may_ask_identity(tracker, ticket):
                    # The appointment is personal: with number and postal code it can be said.
                    return [SlotSet("identify_for", "status"), SlotSet("ticket_number", ticket.number)]
                return done
            if identity is None:
                if tracker.active_loop.get("name") or tracker.get_slot("identify_for") == "status":
                    dispatcher.utter_message(text=texts.status_no_identification)
                    return done
                return [SlotSet("identify_for", "status")]  # rules: identification_form
            tickets = await asyncio.to_thread(store().for_customer, identity[0])
        except TicketStoreUnavailable:
            dispatcher.utter_message(text=texts.status_down)
            return done
        if tickets:
            dispatcher.utter_message(text=_status_text(tickets[0], identity))
        elif spool().pending_for(identity[0]):
            dispatcher.utter_message(text=texts.status_spooled)
        else:
            dispatcher.utter_message(text=texts.status_none)
        return done


def _may_ask_identity(tracker: Tracker, ticket: TicketView) -> bool:
    """Offer the identification once, for an appointment, and only if it can still work."""
    return (
        ticket.status is TicketStatus.TECHNICIAN_SCHEDULED
        and tracker.get_slot("identify_for") != "status"
        and tracker.get_slot("identification_status") not in (FAILED, SKIPPED)
        and not tracker.active_loop.get("name")
    )


class ValidateContactForm(FormValidationAction):
    def name(self) -> str:
        return "validate_contact_form"

    async def extract_contact(self, dispatcher, tracker: Tracker, domain: Dict) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != "contact":
            return {}
        text = (tracker.latest_message or {}).get("text") or ""
        # Only something that looks like a try counts: digits or an "@".
        return {"contact": text[:200]} if ("@" in text or any(ch.isdigit() for ch in text)) else {}

    async def validate_contact(self, value: Any, dispatcher, tracker: Tracker, domain: Dict) -> Dict:
        contact = parse_contact(str(value or ""))
        if contact is None:
            dispatcher.utter_message(text=load_ticket_texts().contact_invalid)
            return {"contact": None}
        return {"contact": contact.get("phone") or contact.get("email")}


class ActionAskContact(Action):
    def name(self) -> str:
        return "action_ask_contact"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        if not slot_set_this_turn(tracker, "contact"):  # after an invalid try the error message asks again
            dispatcher.utter_message(text=load_ticket_texts().ask_contact)
        return []
