import copy

import pytest

from bot.diagnosis.model import RouterCatalog, Tree

LED = {"name": "DSL", "where": "vorne, die zweite Lampe von links", "normal": "leuchtet dauerhaft grün"}


def _router(name, dsl_name, synonyms):
    leds = {key: {**LED, "name": key.upper()} for key in ("power", "dsl", "internet", "wlan", "fon")}
    leds["dsl"] = {**LED, "name": dsl_name}
    return {
        "name": name,
        "synonyms": synonyms,
        "leds": leds,
        "reset_button": "Der Reset-Knopf ist hinten in einem kleinen Loch.",
        "restart": "Ziehen Sie den Stecker, warten Sie 30 Sekunden und stecken Sie ihn wieder ein.",
    }


ROUTERS = {
    "default": "generic",
    "routers": {
        "generic": _router("Router", "DSL oder Internet", []),
        "fritzbox": _router("FRITZ!Box", "Power/DSL", ["fritzbox", "fritz box", "fritz!box"]),
    },
}

TREE = {
    "area": "internet_down",
    "title": "Internet geht gar nicht",
    "start": "dsl_led",
    "line_check_useful": True,
    "nodes": {
        "dsl_led": {
            "type": "question",
            "text": "Wie sieht die Lampe „{led:dsl}“ an Ihrem {router} aus?",
            "help": "Die Lampe „{led:dsl}“ ist {led_where:dsl}.",
            "why": "Die Lampe zeigt, ob Ihr Router mit unserem Netz verbunden ist.",
            "led": "dsl",
            "needs_router_model": False,  # tests of the router question switch it on
            "answers": [
                {"id": "steady", "label": "Sie leuchtet", "intents": ["affirm"],
                 "entities": {"led_state": ["leuchtet", "an"]}, "next": "resolved"},
                {"id": "blinking", "label": "Sie blinkt", "intents": ["inform"],
                 "entities": {"led_state": ["blinkt"]}, "next": "restart"},
                {"id": "off", "label": "Sie ist aus", "intents": ["deny"],
                 "entities": {"led_state": ["aus", "dunkel"]}, "next": "line"},
                {"id": "unknown", "label": "Weiß ich nicht", "intents": ["dont_know"], "next": "line"},
            ],
        },
        "restart": {
            "type": "instruction",
            "text": "Bitte starten Sie den Router neu: {restart}",
            "check": "Leuchtet die Lampe jetzt ruhig?",
            "answers": [
                {"id": "fixed", "label": "Ja", "intents": ["affirm"], "next": "resolved"},
                {"id": "not_fixed", "label": "Nein", "intents": ["deny", "already_done"], "next": "line"},
                {"id": "cannot", "label": "Das geht nicht", "intents": ["dont_know"], "next": "line"},
            ],
        },
        "line": {
            "type": "line_check",
            "text": "Ich prüfe jetzt Ihre Leitung.",
            "routes": {"fault": "ticket", "ok": "handoff", "unavailable": "handoff"},
        },
        "resolved": {"type": "outcome", "outcome": "resolved", "text": "Wunderbar, es geht wieder!"},
        "ticket": {"type": "outcome", "outcome": "ticket", "text": "Ich lege eine Störungsmeldung an."},
        "handoff": {"type": "outcome", "outcome": "handoff", "text": "Ein Kollege hilft Ihnen weiter."},
    },
}


@pytest.fixture
def tree_data():
    return copy.deepcopy(TREE)


@pytest.fixture
def router_data():
    return copy.deepcopy(ROUTERS)


@pytest.fixture
def engine(tree_data, router_data):
    from bot.diagnosis.engine import DiagnosisEngine

    return DiagnosisEngine({"internet_down": Tree.parse_obj(tree_data)}, RouterCatalog.parse_obj(router_data))
