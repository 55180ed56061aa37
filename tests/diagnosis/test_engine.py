import pytest

from bot.diagnosis.engine import DiagnosisError, DiagnosisState, LampFact, Reply, check_cue, same_word
from bot.diagnosis.model import LineVerdictRoute


def test_start_renders_generic_router_until_the_model_is_known(engine):
    prompt = engine.prompt(engine.start("internet_down"))
    assert prompt.text == "Wie sieht die Lampe „DSL oder Internet“ an Ihrem Router aus?"
    assert [label for label, _ in prompt.buttons] == ["Sie leuchtet", "Sie blinkt", "Sie ist aus", "Weiß ich nicht"]


def test_known_router_model_changes_lamp_names(engine):
    state = engine.start("internet_down", router=engine.router_key("ich hab eine Fritzbox 7590"))
    assert "„Power/DSL“ an Ihrem FRITZ!Box" in engine.prompt(state).text
    assert engine.help_text(state) == "Die Lampe „Power/DSL“ ist vorne, die zweite Lampe von links."


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(intent="affirm"), "resolved"),
        (Reply(intent="deny"), "line"),
        (Reply(intent="dont_know"), "line"),
        (Reply(intent="inform", entities={"led_state": ["blinken"]}), "restart"),
        (Reply(intent="inform", entities={"led_state": ["Dunkel"]}), "line"),
        (Reply(answer_id="blinking"), "restart"),
    ],
)
def test_free_text_and_buttons_choose_the_answer(engine, reply, expected):
    assert engine.answer(engine.start("internet_down"), reply).node == expected


def test_unclear_reply_leaves_the_question_open(engine):
    state = engine.start("internet_down")
    assert engine.answer(state, Reply(intent="greet")) is None
    assert engine.answer(state, Reply(intent="inform", entities={"device": ["laptop"]})) is None


def test_lamp_already_described_answers_the_question(engine):
    state = engine.start("internet_down", lamps=[LampFact(led="dsl", states=("blinkt",))])
    assert state.node == "restart"
    [step] = state.steps
    assert step.answer == "blinking" and step.from_earlier_message


def test_lamp_of_another_kind_does_not_answer(engine):
    state = engine.start("internet_down", lamps=[LampFact(led="power", states=("blinkt",))])
    assert state.node == "dsl_led" and state.steps == ()


def test_learning_mid_way_skips_the_open_question(engine):
    state = engine.start("internet_down")
    state = engine.learn(state, lamps=[LampFact(led="dsl", states=("aus",))])
    assert state.node == "line"


def test_instruction_shows_the_check_and_already_done_means_not_fixed(engine):
    state = engine.answer(engine.start("internet_down"), Reply(intent="inform", entities={"led_state": ["blinkt"]}))
    prompt = engine.prompt(state)
    assert prompt.kind == "instruction"
    assert "Ziehen Sie den Stecker" in prompt.text and prompt.text.endswith("Leuchtet die Lampe jetzt ruhig?")
    assert engine.answer(state, Reply(intent="already_done")).node == "line"


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        (LineVerdictRoute.FAULT, "ticket"),
        (LineVerdictRoute.OK, "handoff"),
        (LineVerdictRoute.UNAVAILABLE, "handoff"),
        (LineVerdictRoute.SLOW, "handoff"),  # not routed: falls back to "ok"
    ],
)
def test_line_verdict_picks_the_route(engine, verdict, expected):
    state = engine.answer(engine.start("internet_down"), Reply(intent="deny"))
    assert engine.line_result(state, verdict).node == expected


def test_back_returns_to_the_last_own_answer(engine):
    start = engine.start("internet_down")
    state = engine.answer(start, Reply(intent="inform", entities={"led_state": ["blinkt"]}))
    back = engine.back(state)
    assert back.node == "dsl_led" and back.steps == ()
    assert engine.back(start) == start


def test_state_survives_a_round_trip_through_a_slot(engine):
    state = engine.start("internet_down", router="fritzbox", lamps=[LampFact(led="dsl", states=("blinkt",))])
    state = engine.answer(state, Reply(intent="deny"))
    assert DiagnosisState.from_dict(state.to_dict()) == state


def test_summary_lists_every_step_for_a_technician(engine):
    state = engine.start("internet_down", router="fritzbox", lamps=[LampFact(led="dsl", states=("blinkt",))])
    state = engine.answer(state, Reply(intent="deny"))
    details = {"verdict": "line_fault", "text": "Keine Verbindung seit 7:42 Uhr."}
    details["measurements"] = {"sync_state": "down"}
    state = engine.line_result(state, LineVerdictRoute.FAULT, details)
    summary = engine.summary(state)
    assert engine.is_finished(state) and summary.outcome == "ticket"
    text = summary.as_text()
    assert "Leitungsprüfung: fault – Keine Verbindung seit 7:42 Uhr." in text
    assert "Messwerte: sync_state=down" in text
    assert DiagnosisState.from_dict(state.to_dict()) == state  # the details survive the slot
    assert "Router: FRITZ!Box" in text
    assert "-> Sie blinkt (aus früherer Nachricht)" in text
    assert "Leuchtet die Lampe jetzt ruhig? -> Nein" in text
    assert "Ergebnis: ticket" in text


@pytest.mark.parametrize(
    ("name", "key"),
    [("DSL-Lampe", "dsl"), ("dsl", "dsl"), ("Power LED", "power"), ("WLAN", "wlan"), ("Toaster", None)],
)
def test_lamp_words_map_to_keys(engine, name, key):
    assert engine.led_key(name) == key


@pytest.mark.parametrize(("a", "b", "same"), [("blinkt", "blinken", True), ("grün", "gruen", True),
                                              ("aus", "an", False), ("leuchtet", "Leuchten", True)])
def test_word_forms(a, b, same):
    assert same_word(a, b) is same


def test_unknown_area_is_a_clear_error(engine):
    with pytest.raises(DiagnosisError, match="no tree for area 'tv_problem'"):
        engine.start("tv_problem")


@pytest.fixture
def router_engine(tree_data, router_data):
    from bot.diagnosis.engine import DiagnosisEngine
    from bot.diagnosis.model import RouterCatalog, Tree

    tree_data["nodes"]["dsl_led"]["needs_router_model"] = True
    trees = {"internet_down": Tree.parse_obj(tree_data)}
    return DiagnosisEngine(trees, RouterCatalog.parse_obj(router_data), "Welchen Router?", "Weiß nicht")


def test_router_model_is_asked_once_when_a_step_needs_it(router_engine):
    state = router_engine.start("internet_down")
    prompt = router_engine.prompt(state)
    assert prompt.kind == "router_question" and prompt.text == "Welchen Router?"
    assert prompt.buttons == (("FRITZ!Box", "router:fritzbox"), ("Weiß nicht", "router:unknown"))
    state = router_engine.answer(state, Reply(intent="inform", text="ich hab so ne fritz box"))
    assert state.router == "fritzbox" and state.node == "dsl_led"
    assert "„Power/DSL“" in router_engine.prompt(state).text
    assert router_engine.summary(state).steps[-1].answer_label == "FRITZ!Box"


def test_dont_know_the_router_is_accepted_and_not_asked_again(router_engine):
    state = router_engine.answer(router_engine.start("internet_down"), Reply(intent="dont_know"))
    assert state.router is None and state.router_asked
    assert router_engine.prompt(state).kind == "question"
    assert "„DSL oder Internet“" in router_engine.prompt(state).text


def test_router_question_button_and_unclear_reply(router_engine):
    state = router_engine.start("internet_down")
    assert router_engine.answer(state, Reply(intent="affirm")) is None
    assert router_engine.answer(state, Reply(answer_id="router:fritzbox")).router == "fritzbox"
    assert router_engine.answer(state, Reply(answer_id="router:toaster")) is None


def test_router_named_in_the_first_message_skips_the_question(router_engine):
    state = router_engine.start("internet_down", router="fritzbox")
    assert router_engine.prompt(state).kind == "question"


def test_back_skips_the_router_question(router_engine):
    state = router_engine.answer(router_engine.start("internet_down"), Reply(intent="dont_know"))
    state = router_engine.answer(state, Reply(intent="deny"))
    back = router_engine.back(state)
    assert back.node == "dsl_led" and back.router_asked


def test_a_negated_lamp_state_is_not_taken_as_the_state(engine):
    state = engine.start("internet_down")
    reply = Reply(intent="inform", entities={"led_state": ["leuchtet"]}, text="da leuchtet nix")
    assert engine.answer(state, reply) is None


def test_words_in_the_text_count_for_lamp_states_but_not_colours(engine):
    state = engine.start("internet_down")
    assert engine.answer(state, Reply(intent="greet", text="die ist aus")).node == "line"
    # "weiß" is not the colour white here; the text is the button label "Weiß ich nicht".
    assert engine.answer(state, Reply(intent="greet", text="weiss ich echt nicht")).steps[-1].answer == "unknown"
    assert engine.answer(state, Reply(intent="greet", text="weiß")) is None


def _at_restart(engine):
    return engine.answer(engine.start("internet_down"), Reply(answer_id="blinking"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("das geht leider nicht", "cannot"),  # the button label, typed with an extra word
        ("vielleicht morgen", None),  # no label fits
        ("ja", "fixed"),
    ],
)
def test_a_typed_button_label_is_understood_when_nlu_is_unsure(engine, text, expected):
    state = engine.answer(_at_restart(engine), Reply(intent="nlu_fallback", text=text))
    assert (state.steps[-1].answer if state else None) == expected


def test_a_label_never_matches_against_the_yes_no_sense(engine):
    # "Sie ist aus" must not match a message that says the lamp is not off.
    state = engine.start("internet_down")
    assert engine.answer(state, Reply(intent="nlu_fallback", text="sie ist nicht aus")) is None


@pytest.mark.parametrize(
    "text",
    ["sie blinkt schon lange nicht mehr", "blinken tut da nichts", "die blinkt gar nicht"],
)
def test_a_lamp_state_negated_later_in_the_clause_does_not_count(engine, text):
    reply = Reply(intent="inform", entities={"led_state": ["blinkt"]}, text=text)
    assert engine.match(engine.start("internet_down"), reply) is None


def test_a_negation_in_another_clause_does_not_cancel_the_state(engine):
    reply = Reply(intent="inform", entities={"led_state": ["blinkt"]}, text="sie blinkt, aber nicht grün")
    assert engine.match(engine.start("internet_down"), reply).id == "blinking"


def test_restating_the_problem_after_an_instruction_means_it_did_not_help(engine):
    assert engine.problem_restated(engine.start("internet_down")) is None  # a question: no answer
    state = engine.problem_restated(_at_restart(engine))
    assert state.node == "line" and state.steps[-1].answer == "not_fixed"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("ja jetzt gehts wieder", "affirm"),
        ("hab das kabel reingedrückt und jetzt läuft die tagesschau", "affirm"),
        ("verbunden ist es wieder, aber internet geht trotzdem nicht", "deny"),  # the last clause decides
        ("jetzt geht es immer noch nicht", "deny"),
        ("neu gestartet, war kurz besser und dann wieder genauso zäh", "deny"),
        ("box neu gestartet, das telefon ist weiter tot", "deny"),
        ("schon mehrmals gemacht, ändert nix", "deny"),
        ("ja, alles gut", None),
        ("das andere telefon angeschlossen, damit auch nur besetztton", "deny"),
        ("erst tat sich nix, dann neue batterien rein, und jetzt ist das bild da!", "affirm"),
        ("die lampe blinkt grün", None),
    ],
)
def test_check_cue_reads_whether_a_step_helped(text, cue):
    assert check_cue(text) == cue


def test_a_story_after_an_instruction_is_read_by_its_outcome(engine):
    story = "hab den stecker gezogen und gewartet, aber es tut sich trotzdem nichts"
    # NLU read a problem (no answer intent): the words still say "did not help".
    assert engine.answer(_at_restart(engine), Reply(intent="internet_down", text=story)).node == "line"


def test_word_forms_of_colours():
    assert same_word("rotes", "rot") and same_word("Grüne", "grün") and not same_word("rot", "tot")


def test_a_no_that_pushes_back_is_not_the_verdict():
    from bot.diagnosis.engine import leading_yes_no

    assert leading_yes_no("nein wieso, es ist doch jetzt schon besser") is None
    assert leading_yes_no("nein, immer noch langsam") == "deny"
    assert leading_yes_no("ja doch") == "affirm"
