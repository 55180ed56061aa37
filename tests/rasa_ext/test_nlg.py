import asyncio

import yaml
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

import bot.rasa_ext.nlg as nlg_module
from bot.paths import PROJECT_ROOT
from bot.rasa_ext.nlg import DaytimeResponses

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  agent_name: {type: text, mappings: [{type: custom}]}
responses:
  utter_hello: [{text: "{greeting}! Schön, dass Sie da sind."}]
  utter_bye: [{text: "Auf Wiedersehen und {farewell}!"}]
  utter_plain: [{text: "Keine Platzhalter."}]
"""
)


def _generate(nlg, action, slots=None):
    return nlg.generate_from_slots(action, slots or {}, "webchat")["text"]


def test_placeholders_are_filled_by_the_hour(monkeypatch):
    monkeypatch.setattr(nlg_module, "daytime_words", lambda: {"greeting": "Guten Abend", "farewell": "eine gute Nacht"})
    nlg = DaytimeResponses(domain=DOMAIN)
    assert _generate(nlg, "utter_hello") == "Guten Abend! Schön, dass Sie da sind."
    assert _generate(nlg, "utter_bye") == "Auf Wiedersehen und eine gute Nacht!"
    assert _generate(nlg, "utter_plain") == "Keine Platzhalter."


def test_a_slot_of_the_same_name_wins(monkeypatch):
    monkeypatch.setattr(nlg_module, "daytime_words", lambda: {"greeting": "Guten Abend", "farewell": "x"})
    assert _generate(DaytimeResponses(domain=DOMAIN), "utter_hello", {"greeting": "Moin"}).startswith("Moin!")


def test_the_project_endpoints_load_this_generator():
    # (bot/devstack.py writes the same nlg entry for the test servers.)
    config = EndpointConfig.from_dict(yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())["nlg"])
    nlg = NaturalLanguageGenerator.create(config, DOMAIN)
    assert isinstance(nlg, DaytimeResponses)
    assert asyncio.run(nlg.generate("utter_plain", _tracker(), "webchat"))["text"] == "Keine Platzhalter."


def _tracker():
    from rasa.shared.core.trackers import DialogueStateTracker

    return DialogueStateTracker.from_events("t", [], slots=DOMAIN.slots)
