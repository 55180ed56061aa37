"""Unit tests for bot.topics and the real knowledge/topics.yml."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from bot.paths import PROJECT_ROOT
from bot.topics import PROMPT_KEYS, Topic, TopicCatalog, TopicsError, load_topics, parse_topics

REAL_TOPICS = PROJECT_ROOT / "knowledge" / "topics.yml"
DOMAIN = PROJECT_ROOT / "domain.yml"

PROMPTS = {
    "menu": "Wobei kann ich Ihnen helfen?",
    "suggest": "Geht es um eines dieser Themen?",
    "choose": "Worum geht es Ihnen genau?",
    "rephrase": "Können Sie es mir mit anderen Worten sagen?",
    "again": "Tippen Sie bitte auf eines dieser Themen.",
    "empty": "Ihre Nachricht ist leer angekommen.",
    "language": "Ich kann leider nur Deutsch.",
    "lost": "Da bin ich durcheinandergekommen.",
}


def _raw(*entries, none_label="Nichts davon", prompts=None):
    raw = {"topics": list(entries)}
    if none_label is not None:
        raw["none_of_these_label"] = none_label
    raw["prompts"] = dict(PROMPTS) if prompts is None else prompts
    return raw


# --- parsing valid input


def test_parse_valid_catalog():
    catalog = parse_topics(
        _raw(
            {"intent": "internet_down", "label": "Internet geht gar nicht", "menu": True},
            {"intent": "wifi_problem", "label": "WLAN-Problem", "menu": True},
            {"intent": "complaint", "label": "Ich möchte mich beschweren", "menu": False},
        )
    )
    assert catalog == TopicCatalog(
        topics=(
            Topic("internet_down", "Internet geht gar nicht", True),
            Topic("wifi_problem", "WLAN-Problem", True),
            Topic("complaint", "Ich möchte mich beschweren", False),
        ),
        none_of_these_label="Nichts davon",
        prompts=PROMPTS,
    )


def test_menu_defaults_to_false():
    catalog = parse_topics(_raw({"intent": "ticket_status", "label": "Stand meiner Störungsmeldung"}))
    assert catalog.get("ticket_status").menu is False
    assert catalog.menu() == []


def test_labels_are_stripped():
    catalog = parse_topics(
        _raw({"intent": "tv_problem", "label": "  Fernsehen geht nicht \n"}, none_label=" Nichts ")
    )
    assert catalog.get("tv_problem").label == "Fernsehen geht nicht"
    assert catalog.none_of_these_label == "Nichts"


def test_menu_keeps_file_order_and_skips_non_menu_topics():
    catalog = parse_topics(
        _raw(
            {"intent": "router_setup", "label": "Router anschließen", "menu": True},
            {"intent": "outage_question", "label": "Störung?", "menu": False},
            {"intent": "internet_slow", "label": "Internet ist langsam", "menu": True},
            {"intent": "internet_down", "label": "Internet geht gar nicht", "menu": True},
        )
    )
    assert [t.intent for t in catalog.menu()] == ["router_setup", "internet_slow", "internet_down"]


def test_get_unknown_intent_is_none():
    catalog = parse_topics(_raw({"intent": "internet_down", "label": "Internet geht gar nicht"}))
    assert catalog.get("greet") is None
    assert catalog.get("") is None
    assert catalog.get("Internet_Down") is None


def test_empty_topic_list_is_allowed():
    catalog = parse_topics(_raw())
    assert catalog.topics == ()
    assert catalog.menu() == []


def test_catalog_is_immutable():
    catalog = parse_topics(_raw({"intent": "internet_down", "label": "Internet geht gar nicht"}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.topics[0].label = "anders"  # type: ignore[misc]


# --- parse errors name the entry


@pytest.mark.parametrize("raw", [None, [], "topics", {}, {"topics": None}, {"topics": {"intent": "x"}}])
def test_not_a_topics_mapping(raw):
    with pytest.raises(TopicsError, match=r"^my/topics\.yml: expected a mapping with a list 'topics'$"):
        parse_topics(raw, source="my/topics.yml")


@pytest.mark.parametrize("entry", ["internet_down", None, ["internet_down", "Internet"], 42])
def test_entry_is_not_a_mapping(entry):
    raw = _raw({"intent": "internet_down", "label": "Internet geht gar nicht"}, entry)
    with pytest.raises(TopicsError) as error:
        parse_topics(raw, source="topics.yml")
    assert str(error.value) == "topics.yml: topics[1]: expected a mapping"


@pytest.mark.parametrize(
    "entry",
    [
        {"label": "Internet geht gar nicht"},
        {"intent": "", "label": "Internet geht gar nicht"},
        {"intent": None, "label": "Internet geht gar nicht"},
        {"intent": 42, "label": "Internet geht gar nicht"},
    ],
)
def test_missing_intent_names_the_entry(entry):
    raw = _raw(
        {"intent": "internet_down", "label": "Internet geht gar nicht"},
        {"intent": "internet_slow", "label": "Internet ist langsam"},
        entry,
    )
    with pytest.raises(TopicsError) as error:
        parse_topics(raw, source="knowledge/topics.yml")
    assert str(error.value) == "knowledge/topics.yml: topics[2]: 'intent' is missing"


@pytest.mark.parametrize("label", [None, "", "   ", 42, ["WLAN"]])
def test_missing_label_names_the_entry_and_intent(label):
    entry = {"intent": "wifi_problem"}
    if label is not None:
        entry["label"] = label
    raw = _raw({"intent": "internet_down", "label": "Internet geht gar nicht"}, entry)
    with pytest.raises(TopicsError) as error:
        parse_topics(raw, source="topics.yml")
    message = str(error.value)
    assert message.startswith("topics.yml: topics[1] (wifi_problem): ")
    assert "'label'" in message


def test_duplicate_intent_names_the_second_entry():
    raw = _raw(
        {"intent": "internet_down", "label": "Internet geht gar nicht"},
        {"intent": "wifi_problem", "label": "WLAN-Problem"},
        {"intent": "internet_down", "label": "Kein Internet"},
    )
    with pytest.raises(TopicsError) as error:
        parse_topics(raw, source="topics.yml")
    assert str(error.value) == "topics.yml: topics[2]: intent 'internet_down' is listed twice"


@pytest.mark.parametrize("none_label", [None, "", "  ", 0, ["Nichts davon"]])
def test_missing_none_of_these_label(none_label):
    raw = _raw({"intent": "internet_down", "label": "Internet geht gar nicht"}, none_label=none_label)
    with pytest.raises(TopicsError, match=r"^topics\.yml: 'none_of_these_label'"):
        parse_topics(raw, source="topics.yml")


def test_default_source_name_in_errors():
    with pytest.raises(TopicsError, match=r"^topics\.yml: topics\[0\]: 'intent' is missing$"):
        parse_topics(_raw({"label": "x"}))


def test_topics_error_is_a_value_error():
    assert issubclass(TopicsError, ValueError)


@pytest.mark.parametrize("menu", ["false", "nein", "no"])
def test_non_boolean_menu_is_not_silently_true(menu):
    raw = _raw({"intent": "complaint", "label": "Ich möchte mich beschweren", "menu": menu})
    try:
        catalog = parse_topics(raw, source="topics.yml")
    except TopicsError as error:
        assert "topics[0]" in str(error)
    else:
        assert catalog.get("complaint").menu is False


# --- prompts


def test_prompts_are_parsed_and_stripped():
    prompts = {key: f"  Text für {key}\n" for key in PROMPT_KEYS}
    catalog = parse_topics(_raw(prompts=prompts))
    assert catalog.prompts == {key: f"Text für {key}" for key in PROMPT_KEYS}


@pytest.mark.parametrize("prompts", ["Wobei kann ich helfen?", ["menu"], 42])
def test_prompts_must_be_a_mapping(prompts):
    with pytest.raises(TopicsError, match=r"^topics\.yml: 'prompts'"):
        parse_topics(_raw(prompts=prompts), source="topics.yml")


def test_prompts_missing_entirely():
    raw = _raw()
    del raw["prompts"]
    with pytest.raises(TopicsError, match=r"^topics\.yml: 'prompts'"):
        parse_topics(raw, source="topics.yml")


@pytest.mark.parametrize("key", PROMPT_KEYS)
@pytest.mark.parametrize("value", [None, "", "   ", 42])
def test_each_prompt_is_required_and_named(key, value):
    prompts = dict(PROMPTS)
    if value is None:
        del prompts[key]
    else:
        prompts[key] = value
    with pytest.raises(TopicsError) as error:
        parse_topics(_raw(prompts=prompts), source="topics.yml")
    assert f"prompts.{key}" in str(error.value)


def test_unknown_prompt_is_named():
    prompts = {**PROMPTS, "welcome": "Hallo!", "bye": "Tschüss"}
    with pytest.raises(TopicsError) as error:
        parse_topics(_raw(prompts=prompts), source="topics.yml")
    message = str(error.value)
    assert message.startswith("topics.yml: unknown prompts bye, welcome;")
    assert all(key in message for key in PROMPT_KEYS)


def test_prompt_keys_cover_every_clarification_kind():
    from bot.clarify import ClarificationKind

    assert {kind.value for kind in ClarificationKind} <= set(PROMPT_KEYS)


# --- loading files


def _write(path: Path, text: str, with_prompts: bool = True) -> Path:
    if with_prompts:
        text += yaml.safe_dump({"prompts": PROMPTS}, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_load_topics_from_file(tmp_path):
    path = _write(
        tmp_path / "topics.yml",
        'topics:\n  - intent: internet_down\n    label: "Internet geht gar nicht"\n    menu: true\n'
        'none_of_these_label: "Nichts davon"\n',
    )
    catalog = load_topics(path)
    assert catalog.menu() == [Topic("internet_down", "Internet geht gar nicht", True)]
    assert load_topics(path) is catalog  # cached


def test_load_topics_error_names_the_file_and_entry(tmp_path):
    path = _write(
        tmp_path / "topics.yml",
        "topics:\n  - intent: internet_down\n    label: Internet geht gar nicht\n  - intent: wifi_problem\n"
        "none_of_these_label: Nichts davon\n",
    )
    with pytest.raises(TopicsError) as error:
        load_topics(path)
    assert str(error.value).startswith(f"{path}: topics[1] (wifi_problem):")


def test_load_empty_file_is_an_error(tmp_path):
    path = _write(tmp_path / "topics.yml", "", with_prompts=False)
    with pytest.raises(TopicsError, match="expected a mapping"):
        load_topics(path)


def test_load_topics_reads_utf8(tmp_path):
    path = _write(
        tmp_path / "topics.yml",
        "topics:\n  - intent: router_setup\n    label: Router anschließen\n    menu: true\n"
        "none_of_these_label: Nichts davon\n",
    )
    assert load_topics(path).get("router_setup").label == "Router anschließen"


def test_load_topics_honours_knowledge_dir(tmp_path, monkeypatch):
    _write(
        tmp_path / "topics.yml",
        "topics:\n  - intent: tv_problem\n    label: Fernsehen\n    menu: true\nnone_of_these_label: Nö\n",
    )
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    catalog = load_topics()
    assert [t.intent for t in catalog.topics] == ["tv_problem"]
    assert catalog.none_of_these_label == "Nö"


# --- the real knowledge/topics.yml


@pytest.fixture(scope="module")
def real_catalog() -> TopicCatalog:
    return load_topics(REAL_TOPICS)


@pytest.fixture(scope="module")
def domain_intents() -> list[str]:
    with DOMAIN.open(encoding="utf-8") as handle:
        domain = yaml.safe_load(handle)
    intents = [i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]]
    assert intents, "domain.yml lists no intents"
    return intents


def test_real_topics_file_parses(real_catalog):
    assert real_catalog.topics
    assert real_catalog.none_of_these_label


def test_every_real_topic_intent_is_in_the_domain(real_catalog, domain_intents):
    missing = [t.intent for t in real_catalog.topics if t.intent not in domain_intents]
    assert missing == [], f"topics.yml names intents that domain.yml does not list: {missing}"


def test_real_topics_never_offer_fallback_or_conversation_intents(real_catalog):
    not_topics = {"nlu_fallback", "greet", "goodbye", "thank", "affirm", "deny", "inform", "out_of_scope"}
    assert not not_topics & {t.intent for t in real_catalog.topics}


def test_real_menu_is_usable(real_catalog):
    menu = real_catalog.menu()
    assert 1 <= len(menu) <= 10
    labels = [t.label for t in real_catalog.topics]
    assert len(set(labels)) == len(labels), "two buttons with the same label"
    assert all(len(label) <= 40 for label in labels), "button text too long for a chat button"


def test_default_load_is_the_real_file(monkeypatch, real_catalog):
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    assert load_topics() == real_catalog
