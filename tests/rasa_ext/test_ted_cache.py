"""bot.rasa_ext.ted_cache with the real trained model: a remembered prediction is
exactly what TED computes, the model runs once per distinct state, and
different states are never mixed up."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from rasa.core.agent import load_agent
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.paths import PROJECT_ROOT
from bot.rasa_ext import ted_cache

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
CONVERSATIONS = [
    [("internet_down", "Mein Internet geht nicht")],
    [("internet_down", "Internet ist weg, schon seit gestern")],  # same states, other words
    [("greet", "hallo"), ("phone_down", "das Telefon ist tot")],
    [("wifi_problem", "WLAN oben schwach"), ("affirm", "ja"), ("request_human", "ich will einen Menschen")],
    [("wifi_problem", "WLAN oben schwach"), ("deny", "nein")],
]


@pytest.fixture(scope="module")
def ted_and_domain():
    agent = asyncio.run(load_agent(model_path=str(MODEL)))
    [ted] = [
        node._component for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(node._component, TEDPolicy)
    ]
    return ted, agent.domain


def _trackers(domain):
    for turns in CONVERSATIONS:
        events = [ActionExecuted("action_listen"), SlotSet("diagnosis_active", False)]
        for intent, text in turns:
            events += [UserUttered(text, {"name": intent, "confidence": 1.0}), ActionExecuted("action_listen")]
        yield DialogueStateTracker.from_events("t", events[:-1], slots=domain.slots)


def test_remembered_predictions_are_what_ted_computes_and_the_model_runs_once_per_state(ted_and_domain):
    ted, domain = ted_and_domain
    own = [ted.predict_action_probabilities(t, domain).probabilities for t in _trackers(domain)]
    runs = []
    original = ted.model.run_inference
    ted.model.run_inference = lambda data: runs.append(1) or original(data)
    ted_cache.install()
    try:
        first = [ted.predict_action_probabilities(t, domain).probabilities for t in _trackers(domain)]
        again = [ted.predict_action_probabilities(t, domain).probabilities for t in _trackers(domain)]
    finally:
        ted_cache.uninstall()
        ted.model.run_inference = original
    for mine, theirs in zip(first + again, own + own, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=0)
    # Conversations 1 and 2 have the same states: 4 distinct states, each run once.
    assert len(runs) == 4
    assert own[0] == own[1] and own[2] != own[0] and own[3] != own[4]


def test_install_and_uninstall_swap_the_method():
    plain = TEDPolicy.__dict__["predict_action_probabilities"]
    ted_cache.install()
    try:
        assert TEDPolicy.__dict__["predict_action_probabilities"] is ted_cache._cached_predict
    finally:
        ted_cache.uninstall()
    assert TEDPolicy.__dict__["predict_action_probabilities"] is plain
