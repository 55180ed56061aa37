import shutil

import pytest
import yaml

from bot.diagnosis.model import PROBLEM_AREAS, Tree
from bot.diagnosis.validate import Vocabulary, check_routers, check_tree, validate_knowledge
from bot.paths import PROJECT_ROOT

FILE = "knowledge/trees/internet_down.yml"
VOCABULARY = Vocabulary.from_domain()


def problems_of(tree_data):
    return [str(p) for p in check_tree(Tree.parse_obj(tree_data), FILE, VOCABULARY)]


def test_the_example_tree_is_valid(tree_data):
    assert problems_of(tree_data) == []


def test_unknown_reference_names_file_and_node(tree_data):
    tree_data["nodes"]["restart"]["answers"][0]["next"] = "resolvd"
    assert f"{FILE}: node 'restart': leads to unknown node 'resolvd'" in problems_of(tree_data)


def test_unreachable_node(tree_data):
    tree_data["nodes"]["orphan"] = {"type": "outcome", "outcome": "info", "text": "Das ist ein Hinweis für Sie."}
    assert f"{FILE}: node 'orphan': is unreachable from start 'dsl_led'" in problems_of(tree_data)


def test_path_that_never_reaches_an_outcome(tree_data):
    tree_data["nodes"]["restart"]["answers"][0]["next"] = "wait_more"
    tree_data["nodes"]["wait_more"] = {
        "type": "question", "text": "Haben Sie noch etwas Geduld?", "repeatable": True,
        "answers": [
            {"id": "yes", "label": "Ja", "intents": ["affirm"], "next": "wait_more"},
            {"id": "no", "label": "Nein", "intents": ["deny"], "next": "wait_more"},
        ],
    }
    assert f"{FILE}: node 'wait_more': no path from here reaches an outcome" in problems_of(tree_data)


def test_unintended_cycle_and_repeatable_exemption(tree_data):
    tree_data["nodes"]["restart"]["answers"][1]["next"] = "dsl_led"
    problems = problems_of(tree_data)
    assert any("cycle dsl_led -> restart -> dsl_led" in p for p in problems), problems
    tree_data["nodes"]["restart"]["repeatable"] = True
    assert not any("cycle" in p for p in problems_of(tree_data))


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        (("nodes", "resolved", "text"), "   ", "node 'resolved': text is empty"),
        (("nodes", "restart", "check"), "Is it working now?", "node 'restart': check does not look German"),
        (("nodes", "dsl_led", "help"), "Die Lampe {led:toaster} sehen Sie vorne.", "unknown placeholder {led:toaster}"),
    ],
)
def test_missing_or_wrong_text(tree_data, path, text, message):
    target = tree_data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = text
    assert any(message in p for p in problems_of(tree_data)), problems_of(tree_data)


def test_answer_without_nlu_coverage(tree_data):
    answer = tree_data["nodes"]["restart"]["answers"][2]
    answer["intents"] = []
    assert (
        f"{FILE}: node 'restart': answer 'cannot' has no intents, entities or answer words: free text cannot reach it"
        in problems_of(tree_data)
    )


def test_answer_with_intent_or_entity_unknown_to_the_nlu(tree_data):
    tree_data["nodes"]["restart"]["answers"][2]["intents"] = ["cannot_do"]
    tree_data["nodes"]["dsl_led"]["answers"][0]["entities"] = {"lamp_mood": ["froh"]}
    problems = problems_of(tree_data)
    assert f"{FILE}: node 'restart': answer 'cannot': intent 'cannot_do' is not in domain.yml" in problems
    assert f"{FILE}: node 'dsl_led': answer 'steady': entity 'lamp_mood' is not in domain.yml" in problems


def test_ambiguous_free_text(tree_data):
    tree_data["nodes"]["restart"]["answers"][2]["intents"] = ["deny"]
    assert any("intent 'deny' means more than one answer (not_fixed, cannot)" in p for p in problems_of(tree_data))


def test_routers_synonym_clash_and_missing_lamp(tmp_path, router_data):
    router_data["routers"]["fritzbox"]["synonyms"].append("router")
    router_data["routers"]["generic"]["synonyms"].append("router")
    path = tmp_path / "routers.yml"
    path.write_text(yaml.safe_dump(router_data, allow_unicode=True))
    assert any("synonym 'router' also belongs to" in str(p) for p in check_routers(path))
    del router_data["routers"]["generic"]["leds"]["fon"]
    path.write_text(yaml.safe_dump(router_data, allow_unicode=True))
    assert any("leds must describe fon" in str(p) for p in check_routers(path))


def test_whole_folder_reports_yaml_errors_schema_errors_and_missing_areas(tmp_path, tree_data, router_data):
    (tmp_path / "trees").mkdir()
    shutil.copy(PROJECT_ROOT / "knowledge" / "topics.yml", tmp_path / "topics.yml")
    (tmp_path / "diagnosis.yml").write_text("texts:\n  lost: Entschuldigung, da bin ich durcheinandergekommen.\n")
    (tmp_path / "routers.yml").write_text(yaml.safe_dump(router_data, allow_unicode=True))
    (tmp_path / "trees" / "internet_down.yml").write_text(yaml.safe_dump(tree_data, allow_unicode=True))
    (tmp_path / "trees" / "wifi_problem.yml").write_text("area: wifi_problem\nnodes: [unclosed\n")
    tree_data["area"] = "tv_problem"
    tree_data["nodes"]["dsl_led"]["colour"] = "grün"  # misspelt key
    (tmp_path / "trees" / "tv_problem.yml").write_text(yaml.safe_dump(tree_data, allow_unicode=True))
    problems = [str(p) for p in validate_knowledge(tmp_path, VOCABULARY)]
    assert any("wifi_problem.yml: not valid YAML" in p for p in problems), problems
    assert any("diagnosis.yml: texts missing: not_understood" in p for p in problems), problems
    assert any("tv_problem.yml: node 'dsl_led': colour: extra fields not permitted" in p for p in problems), problems
    missing = [a for a in PROBLEM_AREAS if a not in ("internet_down", "wifi_problem", "tv_problem")]
    for area in missing:
        assert any(f"{area}.yml: is missing" in p for p in problems)
    assert not any("internet_down.yml" in p for p in problems)


def test_broken_verdict_rules_are_reported_with_the_file(tmp_path):
    from bot.diagnosis.validate import check_verdicts

    (tmp_path / "verdicts.yml").write_text(
        "services_by_area: {}\nverdicts:\n  - {id: x, route: ok, text: 'Alles in Ordnung mit Ihrer Leitung.'}\n"
        "unavailable: {text: 'Geht gerade nicht.'}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_verdicts(tmp_path / "verdicts.yml")]
    assert problems and all("verdicts.yml" in p for p in problems)


def test_handoff_texts_and_service_hours_are_checked(tmp_path):
    from bot.diagnosis.validate import check_handoff

    shutil.copy(PROJECT_ROOT / "knowledge" / "handoff.yml", tmp_path / "handoff.yml")
    shutil.copy(PROJECT_ROOT / "knowledge" / "service.yml", tmp_path / "service.yml")
    assert check_handoff(tmp_path) == []
    (tmp_path / "handoff.yml").write_text("texts:\n  offer: Möchten Sie mit einem Menschen sprechen?\n")
    (tmp_path / "service.yml").write_text("service_hours:\n  montag: ['08:00', '20:00']\n")
    problems = [str(p) for p in check_handoff(tmp_path)]
    assert any("handoff.yml" in p and "queued" in p for p in problems), problems
    assert any("service.yml" in p and "montag" in p for p in problems), problems


def test_system_texts_are_checked_for_keys_and_german(tmp_path):
    from bot.diagnosis.validate import check_system

    assert check_system(PROJECT_ROOT / "knowledge") == []
    assert [p.message for p in check_system(tmp_path)] == ["is missing"]
    raw = yaml.safe_load((PROJECT_ROOT / "knowledge" / "system.yml").read_text(encoding="utf-8"))
    raw["texts"]["action_failed"] = "Sorry, something went wrong on our side. Please try again later."
    del raw["texts"]["too_long"]
    (tmp_path / "system.yml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    problems = " ".join(str(p) for p in check_system(tmp_path))
    assert "too_long" in problems
    raw["texts"]["too_long"] = "Ihre Nachricht war zu lang für mich."
    (tmp_path / "system.yml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    problems = " ".join(str(p) for p in check_system(tmp_path))
    assert "action_failed does not look German" in problems


def test_a_handover_to_a_tree_or_node_that_does_not_exist_is_reported(tmp_path):
    from bot.diagnosis.validate import check_handovers

    def tree(area, target_area, target_node):
        return Tree.parse_obj({
            "area": area, "title": "Titel", "start": "q",
            "nodes": {
                "q": {"type": "question", "text": "Geht das Internet auf einem Gerät?", "answers": [
                    {"id": "yes", "label": "Ja", "intents": ["affirm"], "next": "done"},
                    {"id": "no", "label": "Nein", "intents": ["deny"], "next": "away"}]},
                "done": {"type": "outcome", "outcome": "resolved", "text": "Schön, dass es wieder geht."},
                "away": {"type": "handover", "area": target_area, "node": target_node,
                         "text": "Dann liegt es am Internetanschluss selbst."},
            },
        })

    trees = {
        "wifi_problem": (tree("wifi_problem", "internet_down", "nowhere"), "wifi.yml"),
        "internet_down": (tree("internet_down", "tv_problem", "q"), "down.yml"),
        "email_problem": (tree("email_problem", "email_problem", "q"), "mail.yml"),
    }
    problems = [str(p) for p in check_handovers(trees)]
    assert "wifi.yml: node 'away': hands over to unknown node 'internet_down.nowhere'" in problems
    assert "down.yml: node 'away': hands over to unknown tree 'tv_problem'" in problems
    assert "mail.yml: node 'away': hands over to its own tree; use next instead" in problems
    # Inside its own tree a handover ends the path like an outcome.
    assert [str(p) for p in check_tree(trees["wifi_problem"][0], "wifi_problem.yml", VOCABULARY)] == []


def test_a_key_written_twice_is_an_error_not_silently_the_last_one(tmp_path):
    from bot.diagnosis.validate import _load_yaml

    path = tmp_path / "answer_words.yml"
    path.write_text("nodes:\n  tv_problem.x:\n    a: [eins]\n  tv_problem.x:\n    b: [zwei]\n")
    data, problems = _load_yaml(path)
    assert data is None and "key 'tv_problem.x' appears twice" in str(problems[0]), problems
