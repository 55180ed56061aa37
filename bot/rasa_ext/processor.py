"""Rasa's MessageProcessor with one change: intent syntax only from offered buttons.

What it replaces: Rasa 3.6 (`RegexMessageHandler` at the end of the NLU graph)
reads every message that starts with "/" as an intent with entities, whoever
typed it. A customer could type '/affirm{"customer_number": "…"}' and set
slots, or "/restart" to reset the conversation and its limits. This subclass
decides per message (rules in bot/buttons.py):

- the exact payload of a button of the bot's latest turn: a button press, read
  as intent syntax, and marked in the message metadata (`input.kind: button`,
  with the button's title for the agent console);
- a message the channel itself created (the web chat's greeting): read as is;
- anything else starting with "/": NLU reads the words without the syntax, and
  the tracker keeps the text as typed.

A typed message while no question is open is read as an opening
(bot/nlu/opening.py): "ja das internet geht gar nich mehr" is a problem, not a yes.
After an outcome, "wie lange dauert das?" is a question about it
(bot/dialogue/followups.py), not a new problem.

And one more: a conversation belongs to the channel it runs on. A message for a
web chat conversation that arrives over REST (which anyone who learned the
conversation id could send) is refused before it is logged: InputRefused,
which the REST channel answers with 409.

Installed by bot/rasa_ext/__init__.py (`rasa.core.agent.MessageProcessor`).
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.buttons import CHANNEL_COMMAND, INPUT_KEY, offered_buttons, resolve
from bot.channels.edge import refuse
from bot.dialogue.answer_words import load_answer_words
from bot.dialogue.context import (
    reread_for_callback,
    reread_for_form,
    reread_for_offer,
    reread_for_queued_topic,
    reread_for_status_number,
    reread_goodbye,
    reread_while_paused,
)
from bot.dialogue.followups import load_followups, reread_as_followup
from bot.handoff.texts import load_handoff_texts, says_leave_queue
from bot.nlu.opening import expecting_answer, reread_opening
from bot.rasa_ext.remote_action import start_turn

LABEL_KEY = "button_label"  # the web chat sends the title of the tapped button


def latest_turn(tracker: DialogueStateTracker | None) -> List[Dict[str, Any]]:
    """The bot messages since the customer's latest message, as event dicts."""
    if tracker is None:
        return []
    turn: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            turn.append({"event": "bot", "data": event.data or {}})
    return list(reversed(turn))


def _expecting_answer(tracker: DialogueStateTracker) -> bool:
    payloads = [button.payload for button in offered_buttons(latest_turn(tracker))]
    return expecting_answer(tracker.current_slot_values(), tracker.active_loop_name, payloads)


class GuardedMessageProcessor(MessageProcessor):
    async def handle_message(self, message: UserMessage) -> List[Dict[str, Any]] | None:
        start_turn()  # a failing action server is announced once per customer message
        return await super().handle_message(message)

    async def _handle_message_with_tracker(self, message: UserMessage, tracker: DialogueStateTracker) -> None:
        owner = tracker.get_latest_input_channel()
        if owner and message.input_channel and owner != message.input_channel:
            raise refuse("other_channel", 409)
        await super()._handle_message_with_tracker(message, tracker)

    async def parse_message(
        self,
        message: UserMessage,
        tracker: DialogueStateTracker | None = None,
        only_output_properties: bool = True,
    ) -> Dict[str, Any]:
        metadata = message.metadata if isinstance(message.metadata, dict) else {}
        metadata = {k: v for k, v in metadata.items() if k != INPUT_KEY}  # only the server sets it
        label = metadata.pop(LABEL_KEY, None)
        resolved = resolve(
            message.text,
            offered_buttons(latest_turn(tracker)),
            label=label if isinstance(label, str) else None,
            trusted_command=bool(getattr(message, CHANNEL_COMMAND, False)),
        )
        target = message
        if resolved.nlu_text is not None:
            target = copy.copy(message)
            target.text = resolved.nlu_text
        parse_data = await super().parse_message(target, tracker, only_output_properties)
        if resolved.kind == "typed" and tracker is not None:
            parse_data = reread_opening(parse_data, _expecting_answer(tracker))
            parse_data = reread_for_form(parse_data, tracker.get_slot(REQUESTED_SLOT), load_answer_words())
            slots, loop = tracker.current_slot_values(), tracker.active_loop_name
            offered = offered_buttons(latest_turn(tracker))
            titles = [button.title for button in offered]
            asking = loop == "callback_form"
            parse_data = reread_for_callback(parse_data, titles, load_handoff_texts().callback_yes, asking)
            parse_data = reread_for_offer(parse_data, slots, loop)
            parse_data = reread_for_status_number(parse_data, slots, loop)
            parse_data = reread_for_queued_topic(parse_data, slots.get("pending_topic"), [b.payload for b in offered])
            parse_data = reread_as_followup(parse_data, slots, loop, load_followups())
            parse_data = reread_goodbye(parse_data)
            paused = tracker.is_paused()  # waiting for a person, or with one
            wants_out = paused and says_leave_queue(str(parse_data.get("text") or ""))
            parse_data = reread_while_paused(parse_data, paused, wants_out)
        if resolved.stored_text is not None:
            message.text = resolved.stored_text
        message.metadata = {**metadata, INPUT_KEY: resolved.metadata}
        return parse_data
