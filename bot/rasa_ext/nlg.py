"""Rasa's response generator, plus greetings that follow the time of day.

What it adds to Rasa 3.6's TemplatedNaturalLanguageGenerator: two placeholders
every response may use, {greeting} ("Guten Morgen", "Guten Tag", "Guten Abend")
and {farewell} ("einen schönen Tag", "einen schönen Abend", "eine gute Nacht"),
by the hour in Germany (bot/german_time.py). Rasa fills placeholders only from
slots and keyword arguments; a slot would have to be set every turn, so the
generator passes them as keyword arguments instead. A slot or argument of the
same name wins.

endpoints.yml: `nlg: {type: bot.rasa_ext.nlg.DaytimeResponses}`.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from bot.german_time import daytime_words


class DaytimeResponses(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None, **_: Any) -> None:
        super().__init__(domain.responses if domain is not None else {})

    def generate_from_slots(
        self, utter_action: str, filled_slots: dict[str, Any], output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        words = {k: v for k, v in daytime_words().items() if filled_slots.get(k) is None}
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **{**words, **kwargs})
