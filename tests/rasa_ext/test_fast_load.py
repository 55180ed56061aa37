"""bot.rasa_ext.fast_load with the real trained model: TED loaded without a
training step predicts exactly what Rasa's own loading predicts."""

from __future__ import annotations

import asyncio

import numpy as np
from rasa.core.agent import load_agent
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.paths import PROJECT_ROOT
from bot.rasa_ext import fast_load

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
CONVERSATIONS = [
    [("internet_down", "Mein Internet geht nicht")],
    [("greet", "hallo"), ("phone_down", "das Telefon ist tot")],
    [("wifi_problem", "WLAN oben schwach"), ("affirm", "ja"), ("request_human", "ich will einen Menschen")],
]


def _ted_probabilities(agent) -> list[list[float]]:
    [ted] = [
        node._component for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(node._component, TEDPolicy)
    ]
    found = []
    for turns in CONVERSATIONS:
        events = [ActionExecuted("action_listen"), SlotSet("diagnosis_active", False)]
        for intent, text in turns:
            events += [UserUttered(text, {"name": intent, "confidence": 1.0}), ActionExecuted("action_listen")]
        tracker = DialogueStateTracker.from_events("t", events[:-1], slots=agent.domain.slots)
        found.append(ted.predict_action_probabilities(tracker, agent.domain).probabilities)
    return found


def _load(fast: bool):
    if fast:
        fast_load.install()
    try:
        return asyncio.run(load_agent(model_path=str(MODEL)))
    finally:
        fast_load.uninstall()


def test_fast_loading_predicts_exactly_what_rasas_loading_predicts():
    fast = _load(fast=True)
    rasa = _load(fast=False)
    for mine, theirs in zip(_ted_probabilities(fast), _ted_probabilities(rasa), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-6)


def test_install_and_uninstall_swap_the_loader():
    from rasa.utils.tensorflow.models import RasaModel

    fast_load.install()
    try:
        assert RasaModel.__dict__["load"].__func__ is fast_load._fast_load
    finally:
        fast_load.uninstall()
    assert RasaModel.__dict__["load"].__func__ is not fast_load._fast_load
