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


def _walk(state, *replies):
    for reply in replies:
        state = ENGINE.answer(state, reply)
        assert state is not None
    return state


def test_internet_down_on_every_device_checks_the_line_before_anything_at_home():
    state = _walk(ENGINE.start("internet_down"), Reply(intent="deny"))
    assert ENGINE.prompt(state).kind == "line_check"
    assert ENGINE.is_finished(ENGINE.line_result(state, LineVerdictRoute.FAULT))  # fault: report at once
    after_ok = ENGINE.line_result(state, LineVerdictRoute.OK)
    assert after_ok.node == "dsl_led"  # fine from our side: now the lamps at home


def test_a_dead_telephone_checks_the_line_first_and_asks_about_a_new_router_before_a_report():
    state = _walk(ENGINE.start("phone_down"), Reply(intent="affirm"), Reply(intent="deny"))
    assert ENGINE.prompt(state).kind == "line_check"
    not_registered = ENGINE.line_result(state, LineVerdictRoute.TELEPHONY)
    assert "neuen Router" in ENGINE.prompt(not_registered).text and not ENGINE.is_finished(not_registered)
    assert _walk(not_registered, Reply(intent="affirm")).node == "telephony_setup"
    assert ENGINE.summary(_walk(not_registered, Reply(intent="deny"))).outcome == "ticket"


@pytest.mark.parametrize(
    ("area", "replies", "target"),
    [
        # "nirgends", and the WLAN is in the list: the line, not the router's WLAN
        ("wifi_problem", [Reply(intent="deny"), Reply(intent="affirm")], "line_check_first"),
        ("email_problem", [Reply(intent="deny")], "other_devices"),
    ],
)
def test_no_internet_anywhere_found_in_another_tree_goes_on_in_the_internet_tree(area, replies, target):
    state = _walk(ENGINE.start(area), *replies)
    assert (state.area, state.node) == ("internet_down", target)
    prompt = ENGINE.prompt(state)
    assert prompt.text.startswith(state.steps[-1].prompt)  # says why first, then the new question
    assert [s.kind for s in state.steps] == ["question"] * len(replies) + ["handover"]  # the answers are kept
    assert ENGINE.back(state) == state  # "zurück" does not jump into the other tree's answers
    moved_on = ENGINE.line_result(state, LineVerdictRoute.UNAVAILABLE) if prompt.kind == "line_check" else (
        ENGINE.answer(state, Reply(intent="deny"))
    )
    assert not ENGINE.prompt(moved_on).text.startswith(state.steps[-1].prompt)  # said once


def test_phone_and_tv_with_the_internet_down_and_the_line_fine_go_on_at_the_router_lamps():
    for area in ("phone_down", "tv_problem"):
        state = ENGINE.start(area)
        for _ in range(5):
            if ENGINE.prompt(state).kind == "line_check":
                break
            state = ENGINE.answer(state, Reply(intent="deny"))
        after = ENGINE.line_result(state, LineVerdictRoute.OK)
        assert (after.area, after.node) == ("internet_down", "dsl_led"), area


@pytest.mark.parametrize(
    ("area", "text", "node"),
    [
        ("router_setup", "Der Router läuft, das Internet geht. Wo stecke ich jetzt mein Telefon ein?", "phone_connect"),
        ("router_setup", "Neuer Router ist dran, jetzt geht das Tablet nicht mehr ins Internet", "wlan_new_router"),
        ("router_setup", "Wir haben Glasfaser bekommen, der Router ist angeschlossen", "fibre_modem_lamps"),
        ("router_setup", "Router angeschlossen, die Lampen leuchten ruhig, aber kein Internet", "wlan_connect"),
        # blinking wins over "lamps steady": the router has no connection yet (and a
        # DSL lamp answers the socket question: it is a DSL line)
        ("router_setup", "Die Power-Lampe leuchtet ruhig, aber DSL blinkt", "connect_dsl"),
        # the same message answers the question the entry led to: the line check follows
        ("router_setup", "neuer router, schalttermin war gestern, dsl blinkt", "check_line"),
        ("router_setup", "Ich möchte meinen neuen Router anschließen", "dsl_socket"),
        ("internet_down", "Seit dem Gewitter bricht das Internet beim Skypen immer ab", "scope"),
        ("internet_down", "Mein Internet geht seit heute früh nicht mehr", "other_devices"),
    ],
)
def test_the_first_message_enters_a_tree_where_the_customer_is(area, text, node):
    state = ENGINE.start(area, text=text)
    assert state.node == node
    if node != ENGINE.tree(area).start:
        assert state.steps[0].kind == "entry"
        assert "Aus der ersten Nachricht" in ENGINE.summary(state).as_text()


def test_a_dropout_story_in_the_internet_tree_goes_on_in_the_dropouts_tree():
    state = ENGINE.start("internet_down", text="das internet bricht dauernd ab")
    assert state.area == "internet_dropouts"
    assert ENGINE.prompt(state).text.startswith("Ihre Verbindung bricht also immer wieder ab")


def test_a_blinking_lamp_after_connecting_goes_to_the_activation_date_and_off_to_the_power():
    state = ENGINE.start("router_setup", router="fritzbox")
    state = ENGINE.answer(state, Reply(intent="affirm"))
    assert state.node == "connect_dsl"
    assert ENGINE.answer(state, Reply(text="ist genau so angeschlossen, blinkt trotzdem")).node == "activation_date"
    assert ENGINE.answer(state, Reply(intent="deny", text="nein")).node == "power_led"
    assert ENGINE.answer(state, Reply(text="die lampe bleibt aus")).node == "power_led"


@pytest.mark.parametrize(
    ("area", "text", "node", "answer"),
    [
        ("internet_down", "weder am tablet noch am computer geht das internet", "line_check_first", "none_works"),
        ("internet_down", "Internet geht nicht, auch nicht am Handy", "line_check_first", "none_works"),
        ("internet_down", "das handy geht, nur der laptop nicht", "device_restart", "other_works"),
        ("phone_down", "Internet geht prima, aber das Telefon ist tot", "direction", "works"),
        ("internet_slow", "nur der laptop ist langsam, das handy ist schnell", "device_slow", "one_device"),
        ("internet_dropouts", "bricht ständig ab, auch am PC mit Kabel", "line_check", "everywhere"),
    ],
)
def test_the_first_message_answers_the_first_question(area, text, node, answer):
    state = ENGINE.start(area, text=text)
    assert state.node == node
    assert state.steps[0].answer == answer and state.steps[0].from_earlier_message
    assert "(aus früherer Nachricht)" in ENGINE.summary(state).as_text()


@pytest.mark.parametrize(
    ("area", "text"),
    [
        ("internet_down", "ich habe kein internet"),  # on this device? not said
        ("internet_down", "am laptop geht kein internet"),
        ("phone_down", "das telefon geht nicht"),
    ],
)
def test_a_first_message_that_does_not_say_it_leaves_the_first_question_open(area, text):
    state = ENGINE.start(area, text=text)
    assert state.node == ENGINE.tree(area).start and not state.steps


def test_nothing_lit_at_all_goes_straight_to_the_power_checks():
    state = ENGINE.start("internet_down", router="fritzbox", text="Internet geht nirgends")
    state = ENGINE.line_result(state, LineVerdictRoute.OK)
    assert state.node == "dsl_led"
    assert ENGINE.answer(state, Reply(text="da leuchtet überhaupt nichts")).node == "power_check"


def test_a_fact_of_the_first_message_answers_a_later_question_when_it_comes_up():
    text = "Internet geht auf keinem Gerät, am Router ist alles dunkel"
    state = ENGINE.start("internet_down", router="fritzbox", text=text)
    assert state.node == "line_check_first"  # the first question was answered by the same message
    state = ENGINE.line_result(state, LineVerdictRoute.OK)
    assert state.node == "power_check"  # "Leuchtet die Lampe DSL?" is not asked
    assert DiagnosisState.from_dict(state.to_dict()) == state  # the facts travel in the slot
    tv = ENGINE.start("tv_problem", text="Bild weg, am Receiver leuchtet nur ein rotes Lämpchen")
    assert "tv_problem.receiver_power:standby" in tv.known


@pytest.mark.parametrize(
    ("area", "replies", "text"),
    [
        ("internet_down", [], "nein das internet geht jetzt wieder"),
        ("email_problem", [], "jetzt gehn die mails raus und es kommen auch welche an"),
        ("phone_down", [Reply(intent="affirm")], "oh, es geht wieder! alles gut"),
        ("wifi_problem", [], "hat sich erledigt, jetzt geht alles"),
    ],
)
def test_solved_at_any_step_ends_the_tree_happily(area, replies, text):
    state = _walk(ENGINE.start(area), *replies)
    solved = ENGINE.answer(state, Reply(intent="deny" if text.startswith("nein") else "inform", text=text))
    assert solved.node == ENGINE.solved_node(area)
    assert ENGINE.summary(solved).outcome == "resolved"
    assert solved.steps[-1].answer_label == "Kunde: Es funktioniert jetzt wieder"


def test_not_solved_when_the_clause_says_it_still_fails():
    state = ENGINE.start("internet_down")
    for text in ("jetzt geht das internet auch am handy nicht mehr", "geht schon wieder los"):
        after = ENGINE.answer(state, Reply(intent="inform", text=text))
        assert after is None or after.node != ENGINE.solved_node("internet_down"), text


def test_every_tree_has_a_happy_end():
    assert {area: ENGINE.solved_node(area) for area in PROBLEM_AREAS}


def test_facts_are_taken_from_every_message_not_only_the_first():
    state = ENGINE.start("internet_down", router="fritzbox")
    # Not an answer to "Geht das Internet an einem anderen Gerät?", but a fact for the lamps:
    remembered = ENGINE.remember(state, "am Router ist alles dunkel")
    assert remembered.node == state.node and remembered.known != state.known
    after = ENGINE.line_result(ENGINE.answer(remembered, Reply(intent="deny")), LineVerdictRoute.OK)
    assert after.node == "power_check"  # the lamp question is not asked


def test_nothing_works_and_the_wlan_is_not_in_the_list_is_the_routers_wlan_not_the_line():
    state = _walk(ENGINE.start("wifi_problem", router="fritzbox"), Reply(intent="deny"))
    assert state.node == "sees_network"
    assert ENGINE.answer(state, Reply(text="nein, beide finden nix")).node == "wlan_led"
    told = ENGINE.start("wifi_problem", router="fritzbox", text="WLAN weg, Handy und Tablet finden nichts")
    assert _walk(told, Reply(intent="deny")).node == "wlan_led"  # not asked again
    cable = ENGINE.start("wifi_problem", text="kein internet, auch mit kabel nicht")
    assert _walk(cable, Reply(intent="deny")).area == "internet_down"


def test_a_device_back_on_with_the_same_message_is_not_fixed():
    state = DiagnosisState(area="tv_problem", node="receiver_restart")
    for text in ("er ist wieder an. Gleiche Meldung wieder", "bei HDMI 1 kommt wieder die Meldung"):
        after = ENGINE.answer(state, Reply(intent="inform", text=text))
        assert after is None or ENGINE.summary(after).outcome != "resolved", text


def _internet_down_everywhere() -> DiagnosisState:
    return ENGINE.answer(ENGINE.start("internet_down"), Reply(intent="deny", text="nein, auf keinem Gerät"))


def test_a_second_topic_does_not_ask_again_what_the_first_one_found_out():
    earlier = _internet_down_everywhere()
    assert [s.answer for s in earlier.steps] == ["none_works"]
    phone = ENGINE.start("phone_down", earlier=earlier)
    # "Funktioniert Ihr Internet gerade?" is answered: the telephone goes on with the line.
    assert phone.node != "internet_works"
    assert phone.steps[0].node == "internet_works" and phone.steps[0].answer == "down"
    assert phone.steps[0].from_earlier_message
    # Without the earlier diagnosis, the question comes.
    assert ENGINE.start("phone_down").node == "internet_works"


def test_internet_working_elsewhere_carries_to_the_telephone():
    earlier = ENGINE.answer(ENGINE.start("internet_down"), Reply(intent="affirm", text="ja, am Handy geht es"))
    assert ENGINE.start("phone_down", earlier=earlier).steps[0].answer == "works"


def test_a_solved_earlier_diagnosis_carries_nothing():
    earlier = _internet_down_everywhere()
    solved = ENGINE.answer(earlier, Reply(text="es geht wieder! alles gut"))
    assert solved is not None and ENGINE.is_finished(solved)
    assert ENGINE.start("phone_down", earlier=solved).node == "internet_works"


def test_facts_the_customer_told_earlier_are_kept():
    earlier = ENGINE.remember(_internet_down_everywhere(), "die DSL Lampe blinkt")
    assert earlier.known and set(earlier.known) <= set(ENGINE.start("phone_down", earlier=earlier).known)


def test_router_lamps_and_answered_questions_carry_to_the_next_topic():
    from bot.diagnosis.engine import Step

    earlier = DiagnosisState(
        area="internet_down",
        node="restart_nosync",
        router="fritzbox",
        steps=(
            Step("other_devices", "question", "Geht das Internet an einem anderen Gerät?", "none_works"),
            Step("dsl_led", "question", "Wie leuchtet die Lampe Power/DSL?", "blinking_or_red"),
        ),
    )
    phone = ENGINE.start("phone_down", earlier=earlier)
    assert phone.router == "fritzbox"  # "Welchen Router haben Sie?" is not asked again
    assert "internet_down.dsl_led:blinking_or_red" in phone.known  # nor the lamp, after a handover there
    assert phone.steps[0].answer == "down"
