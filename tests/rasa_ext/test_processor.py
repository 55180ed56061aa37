"""bot.rasa_ext.processor: the buttons of the bot's latest turn, from a real tracker.
(The whole processor runs in tests/integration/test_security.py against the real server.)"""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.buttons import Button, offered_buttons
from bot.rasa_ext.processor import latest_turn


def test_only_the_bot_messages_after_the_latest_customer_message_count():
    yes = {"buttons": [{"title": "Ja", "payload": "/affirm"}]}
    tracker = DialogueStateTracker.from_events(
        "kunde-1",
        [
            BotUttered("alt", data={"buttons": [{"title": "Alt", "payload": "/old"}]}),
            UserUttered("hallo"),
            ActionExecuted("action_x"),
            BotUttered("Frage?", data=yes),
            BotUttered("Nicht mehr warten?", data={"quick_replies": [{"title": "Nicht mehr warten", "payload": "/x"}]}),
        ],
    )
    assert offered_buttons(latest_turn(tracker)) == [Button("Ja", "/affirm"), Button("Nicht mehr warten", "/x")]
    assert latest_turn(None) == []
