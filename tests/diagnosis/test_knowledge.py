"""The real content in knowledge/ must validate and be walkable."""

import pytest

from bot.diagnosis.engine import DiagnosisEngine, DiagnosisState, Reply
from bot.diagnosis.model import PROBLEM_AREAS, LineVerdictRoute
from bot.diagnosis.validate import validate_knowledge

ENGINE = DiagnosisEngine.load()


def test_knowledge_folder_is_valid():
    assert [str(p) for p in validate_knowledge()] == []


@pytest.mark.parametrize("area", PROBLEM_AREAS)
@pytest.mark.parametrize("router", [None, "fritzbox", "speedport", "vodafone_station", "o2_homebox"])
def test_every_text_renders_for_every_router(area, router):
    tree = ENGINE.tree(area)
    for node in tree.nodes.values():
        for text in (node.text, node.help, node.why, getattr(node, "check", None)):
            if text:
                assert "{" not in ENGINE.render(text, router), (area, text)


@pytest.mark.parametrize("area", PROBLEM_AREAS)
def test_a_customer_who_knows_nothing_still_reaches_an_outcome(area):
    state = ENGINE.start(area)
    for _ in range(30):
        if ENGINE.is_finished(state):
            break
        if ENGINE.prompt(state).kind == "line_check":
            state = ENGINE.line_result(state, LineVerdictRoute.UNAVAILABLE)
            continue
        nxt = ENGINE.answer(state, Reply(intent="dont_know"))
        assert nxt is not None, f"{area}: node '{state.node}' has no answer for 'weiß nicht'"
        state = nxt
    assert ENGINE.is_finished(state), f"{area}: stuck at '{state.node}'"


def test_a_red_lamp_is_standby_although_it_is_lit():
    state = DiagnosisState(area="tv_problem", node="receiver_power")
    said = Reply(intent="affirm", entities={"led_state": ["leuchtet"], "led_color": ["rotes"]}, text="es leuchtet rot")
    assert ENGINE.match(state, said).id == "standby"
