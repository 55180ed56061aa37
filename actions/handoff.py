"""Human handoff actions: offer a person, queue the customer, callbacks, handback.

Thin adapters over bot.handoff. When a customer joins the queue the conversation
is paused for the bot (ConversationPaused); the agent console and its queue
watcher take it from there through the Rasa HTTP API. On handback they record
`action_handoff_returned` (or `action_handoff_closed`) with its text and slots in
one request, so the rules below read the customer's next answer as usual.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.diagnosis_flow import engine, present, state_of
from actions.common.events import slot_set_this_turn
from actions.common.menus import show_topic_menu
from bot.handoff.desk import (
    AFTER_HANDOFF_SLOTS,
    REPORT_OFFER_ACTION,
    REPORT_PENDING_SLOT,
    RESUME_OFFER_ACTION,
    ServiceDesk,
    report_offer,
)
from bot.handoff.models import HandoffReason, HandoffStatus
from bot.handoff.summary import NO_DIAGNOSIS, availability
from bot.handoff.summary import agent_summary as summarise_for_agent
from bot.handoff.texts import daytime, load_handoff_texts
from bot.nlu.numbers import PHONE_NUMBER, find_numbers

logger = logging.getLogger(__name__)

_DESK: ServiceDesk | None = None
CALLBACK_SLOT = "callback_phone"
WAITING = "waiting"
_REASON_BY_INTENT = {"request_human": HandoffReason.CUSTOMER_REQUEST, "complaint": HandoffReason.COMPLAINT}
_QUIET = [SlotSet(name, value) for name, value in AFTER_HANDOFF_SLOTS.items()]
OFFERED = "handoff_offered"  # what action_offer_human offered: "person" or "callback"


def desk() -> ServiceDesk:
    global _DESK
    if _DESK is None:
        _DESK = ServiceDesk()
    return _DESK


def _offered_reason(tracker: Tracker) -> HandoffReason:
    """Why a person was offered (slot handoff_reason); a plain request otherwise."""
    value = tracker.get_slot("handoff_reason")
    return HandoffReason(value) if value in HandoffReason._value2member_map_ else HandoffReason.CUSTOMER_REQUEST


def _previous_action(tracker: Tracker) -> str | None:
    """The bot's last action before the customer's latest message; None when the
    bot has acted since (an action run by the console, not an answer)."""
    seen_user = False
    for event in reversed(tracker.events):
        kind, name = event.get("event"), event.get("name")
        if kind == "user":
            seen_user = True
        elif kind == "action" and name != "action_listen":
            return name if seen_user else None
    return None


def agent_summary(tracker: Tracker) -> tuple[str | None, str, str | None]:
    return summarise_for_agent(engine(), state_of(tracker), tracker.slots)


class ActionOfferHuman(Action):
    def name(self) -> str:
        return "action_offer_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        texts = load_handoff_texts()
        try:
            available = await asyncio.to_thread(desk().availability)
        except Exception as error:  # database down: no offer we could keep; the menu is a next step
            logger.warning("handoff availability unknown: %s", type(error).__name__)
            show_topic_menu(dispatcher)
            return []
        # Why a person is offered, for the agent's queue (the complaint rule sets no reason).
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        reason = (
            tracker.get_slot("handoff_reason") or _REASON_BY_INTENT.get(intent, HandoffReason.CUSTOMER_REQUEST).value
        )
        if available.can_queue:
            dispatcher.utter_message(text=texts.offer, buttons=texts.yes_no(texts.offer_yes, texts.offer_no))
            return [SlotSet(OFFERED, "person"), SlotSet("handoff_reason", reason)]
        dispatcher.utter_message(text=_closed_text(available.in_service_hours))
        dispatcher.utter_message(text=texts.callback_offer, buttons=texts.yes_no(texts.callback_yes, texts.callback_no))
        return [SlotSet(OFFERED, "callback"), SlotSet("handoff_reason", reason)]


def _closed_text(in_hours: bool) -> str:
    texts = load_handoff_texts()
    return texts.nobody_online if in_hours else texts.closed.format(hours=desk().hours.describe())


class ActionHandoff(Action):
    """Queue the customer for an agent, or offer a callback when nobody is there."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        texts = load_handoff_texts()
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        # "ich will einen Menschen" is the customer's own wish; a "ja" to an offer keeps the offer's reason.
        reason = HandoffReason.CUSTOMER_REQUEST if intent == "request_human" else _offered_reason(tracker)
        try:
            available = await asyncio.to_thread(desk().availability)
            if not available.can_queue:
                offered = tracker.get_slot(OFFERED)
                if _previous_action(tracker) == "action_offer_human" and offered == "callback":
                    # The callback was offered already and the customer said yes.
                    return [FollowupAction("callback_form")]
                dispatcher.utter_message(text=_closed_text(available.in_service_hours))
                dispatcher.utter_message(
                    text=texts.callback_offer, buttons=texts.yes_no(texts.callback_yes, texts.callback_no)
                )
                return [SlotSet("handoff_reason", reason.value)]
            area, summary, verdict = agent_summary(tracker)
            queued = await asyncio.to_thread(
                desk().join_queue,
                tracker.sender_id,
                tracker.get_latest_input_channel() or "unknown",
                reason,
                area,
                summary,
                verdict,
                tracker.get_slot("ticket_number"),
            )
        except Exception as error:  # noqa: BLE001 - HandoffUnavailable or any database failure: say so
            logger.warning("handoff failed: %s", type(error).__name__)
            dispatcher.utter_message(text=texts.unavailable)
            return []
        if queued.handoff.status is HandoffStatus.ACTIVE:
            # Only if the conversation was unpaused under an agent (session expiry, restart).
            dispatcher.utter_message(text=texts.with_agent)
            return _QUIET + [ConversationPaused()]
        # chat_state: the widget knows the customer now waits for a person.
        dispatcher.utter_message(text=texts.already_waiting if queued.already else texts.queued, chat_state=WAITING)
        dispatcher.utter_message(
            text=texts.position(queued.position, queued.minutes),
            buttons=texts.leave_button(),
            **texts.queue_state(queued.position, queued.minutes),
        )
        # Queued at the report offer: back with the bot, the offer comes again.
        pending = SlotSet(REPORT_PENDING_SLOT, bool(tracker.get_slot("ticket_offer")))
        return _QUIET + [pending, ConversationPaused()]


class ActionHandoffDeclined(Action):
    """ "Nein, weiter mit Ihnen": back to the open diagnosis question, if any."""

    def name(self) -> str:
        return "action_handoff_declined"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        dispatcher.utter_message(text=load_handoff_texts().declined)
        events: List[Dict[str, Any]] = [SlotSet("handoff_reason", None)]
        state = state_of(tracker)
        if state is not None and tracker.get_slot("diagnosis_active") and not engine().is_finished(state):
            return events + present(dispatcher, state, tracker)
        show_topic_menu(dispatcher)  # nothing was started yet: what can the bot do?
        return events + _QUIET


def callback_number(text: str) -> str | None:
    phones = [n for n in find_numbers(text or "") if n.entity == PHONE_NUMBER]
    return phones[0].value if phones else None


def national(number: str) -> str:
    """+491701234567 -> 01701234567: how customers write and recognise their number."""
    return "0" + number[3:] if number.startswith("+49") else number


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    async def extract_callback_phone(self, dispatcher, tracker: Tracker, domain: Dict) -> Dict[str, Any]:
        text = (tracker.latest_message or {}).get("text") or ""
        if tracker.get_slot("requested_slot") is None and callback_number(text):
            # "ja, 0171 2345678" to the offer: the number came with the yes.
            return {CALLBACK_SLOT: text[:200]}
        if tracker.get_slot("requested_slot") != CALLBACK_SLOT:
            return {}
        return {CALLBACK_SLOT: text[:200]} if any(ch.isdigit() for ch in text) else {}

    async def validate_callback_phone(self, value: Any, dispatcher, tracker: Tracker, domain: Dict) -> Dict:
        number = callback_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(text=load_handoff_texts().callback_invalid)
            return {CALLBACK_SLOT: None}
        return {CALLBACK_SLOT: number}


class ActionAskCallbackPhone(Action):
    def name(self) -> str:
        return "action_ask_callback_phone"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        if not slot_set_this_turn(tracker, CALLBACK_SLOT):  # after an invalid try the error message asks again
            dispatcher.utter_message(text=load_handoff_texts().callback_ask)
        return []


class ActionCallbackCreate(Action):
    def name(self) -> str:
        return "action_callback_create"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        texts = load_handoff_texts()
        number = tracker.get_slot(CALLBACK_SLOT)
        if not number:
            dispatcher.utter_message(text=texts.callback_declined)
            return [SlotSet("handoff_reason", None)]
        reason = _offered_reason(tracker)
        area, summary, verdict = agent_summary(tracker)
        # "gern nach 17 Uhr" with the number: the agent who calls back must know.
        recent = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"][-3:]
        when = availability(" ".join(recent))
        discussed = summary != NO_DIAGNOSIS
        if when:
            summary += f"\nErreichbar: {when}"
        try:
            await asyncio.to_thread(
                desk().queue.request_callback,
                tracker.sender_id,
                tracker.get_latest_input_channel() or "unknown",
                reason,
                number,
                area,
                summary,
                verdict,
                tracker.get_slot("ticket_number"),
            )
        except Exception as error:  # noqa: BLE001 - database down: say so, keep the number in the chat
            logger.warning("callback not stored: %s", type(error).__name__)
            dispatcher.utter_message(text=texts.unavailable)
            return [SlotSet("handoff_reason", None)]
        done = texts.callback_done if discussed else texts.callback_done_plain
        dispatcher.utter_message(text=done.format(number=national(number)))
        if when:
            dispatcher.utter_message(text=texts.callback_time_noted.format(when=when))
        elif not desk().hours.is_open():
            # At night "sobald jemand frei ist" must say when that can be.
            dispatcher.utter_message(text=texts.callback_when_open.format(hours=desk().hours.describe(long=True)))
        # callback_booked: what this conversation arranged, for questions about it later.
        return [SlotSet("handoff_reason", None), SlotSet(CALLBACK_SLOT, None), SlotSet("callback_booked", number)]


class ActionCallbackDeclined(Action):
    def name(self) -> str:
        return "action_callback_declined"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        dispatcher.utter_message(text=load_handoff_texts().callback_declined)
        return [SlotSet("handoff_reason", None), SlotSet(CALLBACK_SLOT, None)]


class ActionHandoffReturned(Action):
    """After a handback. The console records this action with the same text and
    slots in one request (RasaClient.back_to_bot) instead of running it, so a
    handback cannot get lost on the way through the action server."""

    def name(self) -> str:
        return "action_handoff_returned"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        dispatcher.utter_message(text=load_handoff_texts().handed_back)
        return _QUIET


class ActionHandoffResumeOffer(Action):
    """After a handback with a diagnosis left open: "Sollen wir dort weitermachen?"
    Recorded by the console like the handback (bot.handoff.desk.handback_messages);
    the rules take the yes to action_diagnosis_resume."""

    def name(self) -> str:
        return RESUME_OFFER_ACTION

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        dispatcher.utter_message(text=load_handoff_texts().handed_back)
        return _QUIET


class ActionHandoffReportOffer(Action):
    """After a handback or leaving the queue while a fault report was offered
    and not opened: the offer again. Recorded by the console and the queue
    watcher (bot.handoff.desk.report_offer); the consent rules take the yes."""

    def name(self) -> str:
        return REPORT_OFFER_ACTION

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        texts = load_handoff_texts()
        _action, messages, slots = report_offer(texts.handed_back, texts)
        for message in messages:
            dispatcher.utter_message(**message)
        return [SlotSet(name, value) for name, value in slots.items()]


class ActionHandoffClosed(Action):
    """After the agent closed the chat (recorded by the console like the handback)."""

    def name(self) -> str:
        return "action_handoff_closed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        dispatcher.utter_message(text=daytime(load_handoff_texts().closed_by_agent))
        return _QUIET
