"""The blind-scenario player: every question of every tree has an answer rule,
and the rules use only the keys the scenario writer was given."""

from bot.diagnosis.blind_scenarios import DID_NOTHING, STILL_BROKEN, BlindScenario, answer, load
from bot.diagnosis.engine import DiagnosisEngine
from bot.diagnosis.model import InstructionNode, QuestionNode

# The lists the writer saw (the prompt is quoted in tests/scenarios_blind/README.md).
FACT_KEYS = {
    "internet_other_devices", "internet_works", "lamp_power", "lamp_dsl", "lamp_internet", "lamp_wlan",
    "lamp_phone", "scope_all_devices", "lamp_during_dropout", "how_often", "speed_near_router", "speed_measured",
    "phone_can_call_out", "phone_socket", "router_changed_recently", "has_other_phone", "tv_some_channels",
    "tv_channels_before", "receiver_lamp", "tv_error_message", "wlan_near_router", "wlan_other_devices",
    "has_repeater", "mail_receive", "webmail_login", "webmail_locked", "webmail_mails_there", "mailbox_full",
    "mail_device", "setup_socket", "setup_line_lamp", "activation_date", "setup_wants_phone",
}
STEP_KEYS = {
    "power", "restart_router", "restart_device", "cables", "phone_into_router", "phone_restart", "phone_settings",
    "ringer", "wlan_on", "wlan_device_toggle", "wlan_forget", "router_move", "wlan_band", "repeater_move",
    "tv_input", "receiver_wake", "receiver_power", "receiver_restart", "receiver_cable", "channel_search",
    "mail_password_reset", "mail_app_password", "mail_program_password", "mail_server_settings", "mailbox_clean",
    "spam_folder", "setup_connect", "fibre_modem_power", "setup_access_data", "setup_wlan_connect",
    "setup_phone_connect",
}


def test_every_question_and_step_of_every_tree_has_an_answer_rule():
    _, questions = load()
    engine = DiagnosisEngine.load()
    missing = [
        f"{area}:{node_id}"
        for area in engine.trees
        for node_id, node in engine.tree(area).nodes.items()
        if isinstance(node, (QuestionNode, InstructionNode)) and node_id not in (questions.get(area) or {})
    ]
    assert missing == []


def test_the_rules_and_the_scenarios_use_only_the_keys_the_writer_was_given():
    scenarios, questions = load()
    for rules in questions.values():
        for how in rules.values():
            kind, _, key = how.partition(":")
            known = {"fact": FACT_KEYS, "step": STEP_KEYS}.get(kind, set())
            assert how in ("confirm", "unknown") or key in known, how
    assert len(scenarios) >= 40
    for s in scenarios:
        assert set(s.facts) <= FACT_KEYS, s.id
        assert set(s.steps) <= STEP_KEYS, s.id
        assert s.solved_by is None or s.solved_by in STEP_KEYS, s.id
        assert set(s.expected) <= {"solved", "explained", "fault_report", "person"}, s.id


def test_the_player_answers_from_facts_steps_and_what_it_already_did():
    s = BlindScenario.from_dict({
        "id": "x", "area": "internet_down", "truth": "Stecker raus", "fault": "home", "expected": ["solved"],
        "opening": "internet weg", "solved_by": "power", "solved_reply": "stecker war raus, geht wieder",
        "facts": {"lamp_power": "alles dunkel"}, "steps": {"cables": "kabel sitzt fest"},
    })
    done: set[str] = set()
    assert answer(s, "fact:lamp_power", done) == "alles dunkel"
    assert answer(s, "fact:lamp_dsl", done) == "weiß ich nicht"
    assert answer(s, "confirm", done) == STILL_BROKEN
    assert answer(s, "step:cables", done) == "kabel sitzt fest"
    assert answer(s, "step:restart_router", done) == DID_NOTHING
    assert answer(s, "step:power", done) == "stecker war raus, geht wieder"
    assert answer(s, "confirm", done) == "stecker war raus, geht wieder"
