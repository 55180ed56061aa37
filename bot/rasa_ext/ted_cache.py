"""TED's predictions remembered by what TED sees.

What it replaces: `TEDPolicy.predict_action_probabilities` (Rasa 3.6) featurises
the last `max_history` dialogue states and runs the TensorFlow model for every
prediction, several times per customer message. Under load that was the
largest single cost left in the Rasa server (about a quarter of its time).

TED's answer depends only on those states: the intents, entities, slots, loop
and previous actions of the last `max_history` turns (and the text, when the
model was trained end to end), which this override uses as the key. Customers
on the same path through a tree give the same states, so the prediction is
taken from an LRU of CACHE_SIZE keys instead of running the model again. A
prediction that carries events (end-to-end entities) is never remembered.
The model is read-only while the server runs, so a remembered prediction is
what the model would say again; a new model is a new policy object with a
cache of its own.

Installed by bot/rasa_ext/__init__.py, like fast_load.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

CACHE_SIZE = 20_000

_original = None


def prediction_key(policy: Any, tracker: Any, domain: Any, rule_only_data: Any) -> str:
    """The states TED featurises for this prediction, as one string."""
    from rasa.core.policies.policy import SupportedData
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.nlu.constants import TEXT

    ml_only = policy.supported_data() == SupportedData.ML_DATA
    options = {
        "ignore_rule_only_turns": ml_only,
        "rule_only_data": rule_only_data,
        "ignore_action_unlikely_intent": ml_only,
    }
    states = [policy.featurizer.prediction_states([tracker], domain, policy.only_e2e, **options)]
    if tracker.latest_action_name == ACTION_LISTEN_NAME and TEXT in policy.fake_features and not policy.only_e2e:
        states.append(policy.featurizer.prediction_states([tracker], domain, True, **options))
    return json.dumps(states, sort_keys=True, default=str)


def _cached_predict(self, tracker, domain, rule_only_data=None, precomputations=None, **kwargs):
    def run():
        return _original(
            self, tracker, domain, rule_only_data=rule_only_data, precomputations=precomputations, **kwargs
        )

    if self.model is None:
        return run()
    cache: OrderedDict | None = self.__dict__.get("_prediction_cache")
    if cache is None:
        cache = self.__dict__["_prediction_cache"] = OrderedDict()
    key = prediction_key(self, tracker, domain, rule_only_data)
    known = cache.get(key)
    if known is not None:
        cache.move_to_end(key)
        probabilities, diagnostic_data = known
        return self._prediction(list(probabilities), diagnostic_data=diagnostic_data)
    prediction = run()
    if not prediction.optional_events and not prediction.events and not prediction.is_end_to_end_prediction:
        cache[key] = (tuple(prediction.probabilities), prediction.diagnostic_data)
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return prediction


def install() -> None:
    global _original
    from rasa.core.policies.ted_policy import TEDPolicy

    if _original is None:
        _original = TEDPolicy.__dict__["predict_action_probabilities"]
        TEDPolicy.predict_action_probabilities = _cached_predict


def uninstall() -> None:
    global _original
    from rasa.core.policies.ted_policy import TEDPolicy

    if _original is not None:
        TEDPolicy.predict_action_probabilities = _original
        _original = None
