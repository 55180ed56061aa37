"""Checks the troubleshooting content in knowledge/ and reports every problem with
file and node, in words a support lead can act on.

    python -m bot.diagnosis.validate            # exit 1 if anything is wrong

Checks: YAML and schema errors, unknown node references, unreachable nodes, paths
that never reach an outcome, cycles not marked `repeatable`, missing or non-German
text, unknown placeholders, answers that free text cannot reach (no intents or
entities, or ones the NLU does not know), ambiguous free-text answers, and the
router catalogue.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml
from pydantic import ValidationError

from bot.diagnosis.model import (
    LED_KEYS,
    PROBLEM_AREAS,
    HandoverNode,
    InstructionNode,
    LineCheckNode,
    OutcomeNode,
    QuestionNode,
    RouterCatalog,
    Tree,
)
from bot.diagnosis.texts import DiagnosisTextsError, parse_texts
from bot.nlu.domain_vocabulary import entry_problems
from bot.nlu.language import guess_language
from bot.paths import PROJECT_ROOT, knowledge_dir
from bot.topics import TopicsError, load_topics

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SIMPLE_PLACEHOLDERS = {"router", "reset_button", "restart"}
_LED_PLACEHOLDERS = {"led", "led_where", "led_normal"}


@dataclass(frozen=True)
class Problem:
    file: str
    node: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: node '{self.node}'" if self.node else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Vocabulary:
    """What the NLU knows: answers may only rely on these intents and entities."""

    intents: frozenset[str]
    entities: frozenset[str]

    @classmethod
    def from_domain(cls, domain_path: Path = PROJECT_ROOT / "domain.yml") -> Vocabulary:
        domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
        intents = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])]
        entities = [e if isinstance(e, str) else next(iter(e)) for e in domain.get("entities", [])]
        return cls(frozenset(intents), frozenset(entities))


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _schema_problems(file: str, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        node = loc[1] if len(loc) > 1 and loc[0] == "nodes" else None
        # pydantic tries every node type of the union; keep the message of the
        # type the node declares, or the first one.
        field = ".".join(loc[2:] if node else loc)
        problems.append(Problem(file, node, f"{field}: {item['msg']}" if field else item["msg"]))
    seen, unique = set(), []
    for p in problems:
        if (p.node, p.message) not in seen:
            seen.add((p.node, p.message))
            unique.append(p)
    return unique


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys without a word; in knowledge/ that
    silently drops a node or a list of answer words, so it is an error here."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(path: Path) -> tuple[object | None, list[Problem]]:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader), []  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        return None, [Problem(_rel(path), None, f"not valid YAML{where}: {getattr(error, 'problem', error)}")]


def _edges(tree: Tree) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for node_id, node in tree.nodes.items():
        if isinstance(node, (QuestionNode, InstructionNode)):
            edges[node_id] = [a.next for a in node.answers]
        elif isinstance(node, LineCheckNode):
            edges[node_id] = list(node.routes.values())
        else:
            edges[node_id] = []
    return edges


def _reachable(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node in seen or node not in edges:
            continue
        seen.add(node)
        stack.extend(edges[node])
    return seen


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Elementary cycles found by depth-first search (one per back edge)."""
    cycles, state, path = [], {}, []

    def visit(node: str) -> None:
        state[node] = "active"
        path.append(node)
        for nxt in edges.get(node, []):
            if nxt not in edges:
                continue
            if state.get(nxt) == "active":
                cycles.append(path[path.index(nxt) :])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in edges:
        if node not in state:
            visit(node)
    return cycles


def _texts(node) -> Iterable[tuple[str, str | None]]:
    yield "text", node.text
    for field in ("help", "why"):
        yield field, getattr(node, field)
    if isinstance(node, InstructionNode):
        yield "check", node.check
    for answer in getattr(node, "answers", []):
        yield f"answer '{answer.id}' label", answer.label
        if answer.reply is not None:
            yield f"answer '{answer.id}' reply", answer.reply


def _text_problems(file: str, node_id: str, field: str, text: str | None, optional: bool) -> list[Problem]:
    if text is None:
        return [] if optional else [Problem(file, node_id, f"{field} is missing")]
    if not text.strip():
        return [Problem(file, node_id, f"{field} is empty: write the German text")]
    problems = []
    if guess_language(text).language != "de":
        problems.append(Problem(file, node_id, f"{field} does not look German: {text[:60]!r}"))
    for placeholder in _PLACEHOLDER.findall(text):
        name, _, key = placeholder.partition(":")
        if name in _SIMPLE_PLACEHOLDERS and not key:
            continue
        if name in _LED_PLACEHOLDERS and key in LED_KEYS:
            continue
        problems.append(
            Problem(
                file,
                node_id,
                f"{field} has unknown placeholder {{{placeholder}}}; known: {{router}}, {{restart}}, "
                f"{{reset_button}}, {{led:KEY}}, {{led_where:KEY}}, {{led_normal:KEY}} with KEY in "
                + ", ".join(LED_KEYS),
            )
        )
    return problems


def check_tree(tree: Tree, file: str, vocabulary: Vocabulary, words=None) -> list[Problem]:
    """words: the AnswerWords of knowledge/answer_words.yml; an answer that only
    they reach (no intent, no entity) is reachable by free text too."""
    problems: list[Problem] = []
    expected_name = f"{tree.area}.yml"
    if tree.area not in PROBLEM_AREAS:
        problems.append(Problem(file, None, f"area '{tree.area}' is not a problem area ({', '.join(PROBLEM_AREAS)})"))
    elif not file.endswith(expected_name):
        problems.append(Problem(file, None, f"area '{tree.area}' belongs in a file named {expected_name}"))
    if tree.start not in tree.nodes:
        problems.append(Problem(file, None, f"start node '{tree.start}' does not exist"))
    if not tree.title.strip():
        problems.append(Problem(file, None, "title is empty"))

    edges = _edges(tree)
    for node_id, node in tree.nodes.items():
        for target in edges[node_id]:
            if target not in tree.nodes:
                problems.append(Problem(file, node_id, f"leads to unknown node '{target}'"))
        if node.led is not None and node.led not in LED_KEYS:
            problems.append(Problem(file, node_id, f"led '{node.led}' is unknown; use one of {', '.join(LED_KEYS)}"))
        for field, text in _texts(node):
            problems += _text_problems(file, node_id, field, text, optional=field in ("help", "why"))
        if isinstance(node, (QuestionNode, InstructionNode)):
            worded = {a.id for a in node.answers if words is not None and words.patterns(tree.area, node_id, a.id)}
            problems += _answer_problems(file, node_id, node, vocabulary, worded)

    for entry in tree.entries:
        if entry.node not in tree.nodes:
            problems.append(Problem(file, None, f"entry leads to unknown node '{entry.node}'"))
        if not entry.words:
            problems.append(Problem(file, None, f"entry to '{entry.node}' has no words"))
        if entry.answer is not None and entry.node in tree.nodes:
            answers = [a.id for a in getattr(tree.nodes[entry.node], "answers", [])]
            if entry.answer not in answers:
                problems.append(Problem(file, None, f"entry to '{entry.node}': no answer '{entry.answer}' there"))
        for word in entry.words:
            for problem in entry_problems(word):
                problems.append(Problem(file, None, f"entry to '{entry.node}': '{word}': {problem}"))
    for fact in tree.facts:
        node = tree.nodes.get(fact.node)
        if not isinstance(node, QuestionNode):
            problems.append(Problem(file, None, f"fact for '{fact.node}': not a question of this tree"))
        elif fact.answer not in [a.id for a in node.answers]:
            problems.append(Problem(file, None, f"fact for '{fact.node}': no answer '{fact.answer}' there"))
        for word in fact.words:
            for problem in entry_problems(word):
                problems.append(Problem(file, None, f"fact for '{fact.node}': '{word}': {problem}"))
    # "Es geht wieder!" at any step ends the tree here (DiagnosisEngine.solved_node).
    if not any(isinstance(n, OutcomeNode) and n.outcome == "resolved" for n in tree.nodes.values()):
        problems.append(Problem(file, None, "has no outcome 'resolved' for a customer whose problem is gone"))
    if tree.start in tree.nodes:
        reachable = _reachable(tree.start, edges)
        for entry in tree.entries:
            if entry.node in tree.nodes:
                reachable |= _reachable(entry.node, edges)
        for node_id in tree.nodes:
            if node_id not in reachable:
                problems.append(Problem(file, node_id, f"is unreachable from start '{tree.start}'"))

    # Nodes from which no outcome can be reached: the customer would be stuck.
    # A handover ends this tree; where it leads is checked across trees.
    reaches_outcome = {n for n, node in tree.nodes.items() if isinstance(node, (OutcomeNode, HandoverNode))}
    changed = True
    while changed:
        changed = False
        for node_id, targets in edges.items():
            if node_id not in reaches_outcome and any(t in reaches_outcome for t in targets):
                reaches_outcome.add(node_id)
                changed = True
    for node_id in tree.nodes:
        if node_id not in reaches_outcome:
            problems.append(Problem(file, node_id, "no path from here reaches an outcome"))

    for cycle in _cycles(edges):
        if not any(tree.nodes[n].repeatable for n in cycle):
            loop = " -> ".join(cycle + [cycle[0]])
            problems.append(
                Problem(file, cycle[0], f"cycle {loop}; mark a node repeatable: true if the repeat is intended")
            )
    return problems


def _answer_problems(file: str, node_id: str, node, vocabulary: Vocabulary, worded=frozenset()) -> list[Problem]:
    problems = []
    ids = [a.id for a in node.answers]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(file, node_id, f"answer id '{duplicate}' is used twice"))
    claimed: dict[str, list[str]] = {}
    for answer in node.answers:
        if not answer.intents and not answer.entities and answer.id not in worded:
            problems.append(
                Problem(
                    file, node_id,
                    f"answer '{answer.id}' has no intents, entities or answer words: free text cannot reach it",
                )
            )
        for intent in answer.intents:
            if intent not in vocabulary.intents:
                problems.append(Problem(file, node_id, f"answer '{answer.id}': intent '{intent}' is not in domain.yml"))
            elif not answer.entities:
                claimed.setdefault(intent, []).append(answer.id)
        for entity, values in answer.entities.items():
            if entity not in vocabulary.entities:
                problems.append(Problem(file, node_id, f"answer '{answer.id}': entity '{entity}' is not in domain.yml"))
            if not values:
                problems.append(Problem(file, node_id, f"answer '{answer.id}': entity '{entity}' lists no values"))
    for intent, answer_ids in claimed.items():
        if len(answer_ids) > 1:
            problems.append(
                Problem(
                    file,
                    node_id,
                    f"intent '{intent}' means more than one answer ({', '.join(answer_ids)}); "
                    "free text could not tell them apart: give them entities or use the intent once",
                )
            )
    return problems


def check_routers(path: Path) -> list[Problem]:
    file = _rel(path)
    if not path.exists():
        return [Problem(file, None, "is missing")]
    raw, problems = _load_yaml(path)
    if problems:
        return problems
    try:
        catalog = RouterCatalog.parse_obj(raw)
    except ValidationError as error:
        return [Problem(file, None, p.message) for p in _schema_problems(file, error)]
    owners: dict[str, str] = {}
    for key, router in catalog.routers.items():
        for synonym in router.synonyms:
            if synonym != synonym.lower():
                problems.append(Problem(file, key, f"synonym '{synonym}' must be lower case"))
            if synonym in owners and owners[synonym] != key:
                problems.append(Problem(file, key, f"synonym '{synonym}' also belongs to '{owners[synonym]}'"))
            owners[synonym] = key
        texts = [("reset_button", router.reset_button), ("restart", router.restart)]
        texts += [(f"leds.{k}.where", led.where) for k, led in router.leds.items()]
        texts += [(f"leds.{k}.normal", led.normal) for k, led in router.leds.items()]
        for field, text in texts:
            problems += _text_problems(file, key, field, text, optional=False)
    return problems


def check_verdicts(path: Path) -> list[Problem]:
    """knowledge/verdicts.yml: the line-verdict rules (bot/linecheck/verdict.py)."""
    from bot.linecheck.verdict import VerdictRules

    raw, problems = _load_yaml(path) if path.exists() else (None, [Problem(_rel(path), None, "is missing")])
    if problems:
        return problems
    try:
        VerdictRules.parse_obj(raw)
    except ValidationError as error:
        return _schema_problems(_rel(path), error)
    return []


def check_handoff(root: Path) -> list[Problem]:
    """knowledge/handoff.yml (texts) and knowledge/service.yml (service hours)."""
    from bot.handoff.queue import ServiceHours
    from bot.handoff.texts import HandoffTexts

    problems: list[Problem] = []
    path = root / "handoff.yml"
    raw, yaml_problems = _load_yaml(path) if path.exists() else (None, [Problem(_rel(path), None, "is missing")])
    problems += yaml_problems
    if not yaml_problems:
        try:
            HandoffTexts.parse_obj((raw or {}).get("texts"))
        except ValidationError as error:
            problems += _schema_problems(_rel(path), error)
        words = (raw or {}).get("leave_words") or []
        if not words:
            problems.append(Problem(_rel(path), None, "leave_words: the words for leaving the queue are missing"))
        for word in words:
            problems += [Problem(_rel(path), None, f"leave_words '{word}': {p}") for p in entry_problems(str(word))]
    try:
        ServiceHours.load(root / "service.yml")
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError) as error:
        problems.append(Problem(_rel(root / "service.yml"), None, str(error)))
    return problems


def check_system(root: Path) -> list[Problem]:
    """knowledge/system.yml: what the assistant says when a part of the system fails."""
    from bot.system_texts import SystemTexts

    path = root / "system.yml"
    raw, problems = _load_yaml(path) if path.exists() else (None, [Problem(_rel(path), None, "is missing")])
    if problems:
        return problems
    try:
        texts = SystemTexts.parse_obj((raw or {}).get("texts") if isinstance(raw, dict) else None)
    except ValidationError as error:
        return _schema_problems(_rel(path), error)
    for key, text in texts.dict().items():
        problems += _text_problems(_rel(path), None, f"texts.{key}", text, optional=False)
    return problems


def check_domain_vocabulary(path: Path, vocabulary: Vocabulary) -> list[Problem]:
    """knowledge/vocabulary.yml: the customers' words that NLU gets as features."""
    from bot.nlu.domain_vocabulary import VocabularyFile, check_vocabulary

    raw, problems = _load_yaml(path) if path.exists() else (None, [Problem(_rel(path), None, "is missing")])
    if problems:
        return problems
    try:
        file = VocabularyFile.parse_obj(raw)
    except ValidationError as error:
        return _schema_problems(_rel(path), error)
    return [Problem(_rel(path), None, message) for message in check_vocabulary(file, vocabulary.intents)]


def check_answer_words_file(path: Path, answers_by_node: dict[str, list[str]]) -> list[Problem]:
    """knowledge/answer_words.yml: customers' words for the answers of each question."""
    from bot.dialogue.answer_words import check_answer_words

    if not path.exists():
        return []  # optional: without it, answers are read by NLU alone
    raw, problems = _load_yaml(path)
    if problems:
        return problems
    if not isinstance(raw, dict):
        return [Problem(_rel(path), None, "must be a mapping with 'answers' and 'nodes'")]
    return [Problem(_rel(path), None, message) for message in check_answer_words(raw, answers_by_node)]


def check_followups_file(path: Path) -> list[Problem]:
    """knowledge/followups.yml: questions around an outcome and their answers."""
    from bot.dialogue.followups import check_followups

    if not path.exists():
        return [Problem(_rel(path), None, "is missing: questions after an outcome need their answers")]
    raw, problems = _load_yaml(path)
    if problems:
        return problems
    problems = [Problem(_rel(path), None, message) for message in check_followups(raw)]
    texts = raw.get("topics", {}).values() if isinstance(raw, dict) and isinstance(raw.get("topics"), dict) else []
    for topic in texts:
        for situation, text in ((topic or {}).get("answers") or {}).items() if isinstance(topic, dict) else ():
            if str(text).strip() and guess_language(str(text)).language != "de":
                problems.append(Problem(_rel(path), None, f"answer '{situation}' does not look German: {text[:60]!r}"))
    return problems


def check_handovers(trees: dict[str, tuple[Tree, str]]) -> list[Problem]:
    """A handover names a tree and a node that exist, and never hands back to its
    own tree (that would be a plain answer's next)."""
    problems: list[Problem] = []
    for area, (tree, file) in trees.items():
        for node_id, node in tree.nodes.items():
            if not isinstance(node, HandoverNode):
                continue
            if node.area == area:
                problems.append(Problem(file, node_id, "hands over to its own tree; use next instead"))
            elif node.area not in trees:
                problems.append(Problem(file, node_id, f"hands over to unknown tree '{node.area}'"))
            elif node.node not in trees[node.area][0].nodes:
                problems.append(Problem(file, node_id, f"hands over to unknown node '{node.area}.{node.node}'"))
    return problems


def check_carries(trees: dict[str, tuple[Tree, str]]) -> list[Problem]:
    """A carried answer exists in its tree, and each step it follows ("area.node:answer")
    is an answer of a question or check in the tree it names."""
    problems: list[Problem] = []
    for tree, file in trees.values():
        for carry in tree.carry:
            node = tree.nodes.get(carry.node)
            if not isinstance(node, QuestionNode) or carry.answer not in [a.id for a in node.answers]:
                problem = f"carry to '{carry.node}': no question with answer '{carry.answer}'"
                problems.append(Problem(file, None, problem))
            if not carry.after:
                problems.append(Problem(file, None, f"carry to '{carry.node}': 'after' is empty"))
            for step in carry.after:
                if ":" not in step:  # an area: the earlier diagnosis was about it
                    if step not in trees:
                        problems.append(Problem(file, None, f"carry to '{carry.node}': no tree '{step}'"))
                    continue
                area, _, rest = step.partition(".")
                node_id, _, answer = rest.partition(":")
                other = trees.get(area, (None, None))[0]
                earlier = other.nodes.get(node_id) if other else None
                if not isinstance(earlier, (QuestionNode, InstructionNode)) or answer not in [
                    a.id for a in earlier.answers
                ]:
                    problems.append(Problem(file, None, f"carry to '{carry.node}': '{step}' is no answer of a tree"))
    return problems


def validate_knowledge(root: Path | None = None, vocabulary: Vocabulary | None = None) -> list[Problem]:
    root = root or knowledge_dir()
    vocabulary = vocabulary or Vocabulary.from_domain()
    problems: list[Problem] = []
    try:
        load_topics(root / "topics.yml")
    except (TopicsError, OSError, yaml.YAMLError) as error:
        problems.append(Problem(_rel(root / "topics.yml"), None, str(error)))
    problems += check_routers(root / "routers.yml")
    texts_path = root / "diagnosis.yml"
    raw, yaml_problems = _load_yaml(texts_path) if texts_path.exists() else (None, [])
    problems += yaml_problems
    if not texts_path.exists():
        problems.append(Problem(_rel(texts_path), None, "is missing"))
    elif not yaml_problems:
        try:
            for key, text in parse_texts(raw, _rel(texts_path)).items():
                problems += _text_problems(_rel(texts_path), None, f"texts.{key}", text, optional=False)
        except DiagnosisTextsError as error:
            problems.append(Problem(_rel(texts_path), None, str(error)))

    try:
        from bot.dialogue.answer_words import load_answer_words

        words = load_answer_words(root / "answer_words.yml")
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError):
        words = None  # check_answer_words_file below says what is wrong with it
    areas_found = set()
    trees: dict[str, tuple[Tree, str]] = {}
    answers_by_node: dict[str, list[str]] = {}
    for path in sorted((root / "trees").glob("*.yml")):
        file = _rel(path)
        raw, yaml_problems = _load_yaml(path)
        if yaml_problems:
            problems += yaml_problems
            continue
        try:
            tree = Tree.parse_obj(raw)
        except ValidationError as error:
            problems += _schema_problems(file, error)
            continue
        areas_found.add(tree.area)
        trees[tree.area] = (tree, file)
        problems += check_tree(tree, file, vocabulary, words)
        for node_id, node in tree.nodes.items():
            answers_by_node[f"{tree.area}.{node_id}"] = [a.id for a in getattr(node, "answers", [])]
    problems += check_handovers(trees)
    problems += check_carries(trees)
    problems += check_verdicts(root / "verdicts.yml")
    problems += check_handoff(root)
    problems += check_system(root)
    problems += check_domain_vocabulary(root / "vocabulary.yml", vocabulary)
    problems += check_answer_words_file(root / "answer_words.yml", answers_by_node)
    problems += check_followups_file(root / "followups.yml")
    for area in PROBLEM_AREAS:
        if area not in areas_found:
            missing = _rel(root / "trees" / f"{area}.yml")
            problems.append(Problem(missing, None, "is missing: every problem area needs a tree"))
    return problems


def main(argv: list[str] | None = None) -> int:
    problems = validate_knowledge()
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} problem(s) in knowledge/")
        return 1
    print("knowledge/ is valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
