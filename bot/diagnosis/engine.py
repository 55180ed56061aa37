"""Walks a troubleshooting tree one step at a time (plain Python, no Rasa).

The engine is stateless: a DiagnosisState (serialisable to a dict, so it can live
in a Rasa slot) goes in, a new one comes out. Every step is recorded, so the
DiagnosisSummary tells a technician or agent exactly what was checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from bot.diagnosis.model import (
    Answer,
    HandoverNode,
    InstructionNode,
    LineCheckNode,
    LineVerdictRoute,
    OutcomeNode,
    QuestionNode,
    Router,
    RouterCatalog,
    Tree,
)
from bot.dialogue.answer_words import FIXED, AnswerWords, load_answer_words, score_text
from bot.nlu.domain_vocabulary import clause_words, compile_entry
from bot.paths import knowledge_dir

_PLACEHOLDER = re.compile(r"\{(router|restart|reset_button|led|led_where|led_normal)(?::([a-z]+))?\}")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class DiagnosisError(ValueError):
    """Unknown area, node or answer: a programming or content error, not customer input."""


def _norm(word: str) -> str:
    return unicodedata.normalize("NFC", word).strip().lower().translate(_TRANSLIT)


def same_word(a: str, b: str) -> bool:
    """Word forms that customers use for the same thing: "blinkt"/"blinken",
    "grün"/"gruen", "rot"/"rotes". Long words compare by their first five letters."""
    a, b = _norm(a), _norm(b)
    return a == b or _stem(a) == _stem(b) or (min(len(a), len(b)) >= 5 and a[:5] == b[:5])


_YES = {"ja", "jaa", "jaaa", "jo", "joa", "jep", "jup", "jawohl", "genau", "klar", "yes", "jap"}
_NO = {"nein", "nee", "ne", "nö", "noe", "nope", "nix", "no"}
# "nein wieso ...", "nein doch ...": the customer pushes back, the answer comes after
_PUSHBACK = {"wieso", "warum", "weshalb", "doch"}


_NEGATIONS = {"nicht", "nix", "nichts", "kein", "keine", "gar"}


_CLAUSE_BREAK = re.compile(r"[,.;:!?]|\b(?:und|aber|sondern|oder|doch)\b")


def _negated(word: str, text: str) -> bool:
    """ "da leuchtet nix", "sie ist nicht aus", "Telefon brauchen wir nicht": a
    negation right before the word or anywhere after it in the same clause."""
    for clause in _CLAUSE_BREAK.split(text.lower()):
        words = re.findall(r"\w+", clause or "")
        for i, w in enumerate(words):
            near = words[i + 1 :] + words[max(0, i - 1) : i]
            if same_word(w, word) and any(n in _NEGATIONS for n in near):
                return True
    return False


def leading_yes_no(text: str) -> str | None:
    """affirm/deny when a message starts with a yes or no word ("Nein, kein Gerät
    kommt ins Internet" answers a yes/no question even if NLU reads a problem)."""
    words = re.findall(r"\w+", text.lower())
    if not words:
        return None
    if words[0] in _NO and len(words) > 1 and words[1] in _PUSHBACK:
        return None  # "nein wieso, es ist doch jetzt besser": not a verdict, the rest says it
    return "affirm" if words[0] in _YES else "deny" if words[0] in _NO else None


_POLARITY = _NEGATIONS | _NO
ENTITY_WEIGHT = {"led_color": 2}
LABEL_MATCH = 0.6  # share of a button label's words the customer must have typed


def _label_words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text.lower()) if not w.isdigit()]


def _by_label(answers: Sequence[Answer], text: str) -> Answer | None:
    """The answer whose button label the customer (nearly) typed: "ich hab kein
    anderes Telefon" for "Ich habe kein anderes Telefon". Only when exactly one
    label fits well, and the yes/no sense agrees: a "nicht" or "nein" in the
    message and none in the label (or the reverse) never matches."""
    said = _label_words(text)
    if not said:
        return None
    negative = any(w in _POLARITY for w in said)
    scored = []
    for answer in answers:
        label = _label_words(answer.label)
        if not label or any(w in _POLARITY for w in label) != negative:
            continue
        found = sum(1 for w in label if any(w == s or same_word(w, s) or _stem(w) == _stem(s) for s in said))
        scored.append((found / len(label), answer))
    good = [(score, answer) for score, answer in scored if score >= LABEL_MATCH]
    if len(good) != 1:
        return None
    return good[0][1]


def _stem(word: str) -> str:
    """ "habe"/"hab", "anderes"/"andere": drop a trailing e, s, n or es."""
    word = _norm(word)
    for suffix in ("es", "en", "em", "er", "e", "s", "n"):
        if len(word) >= len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


# Whether a step helped, in the customer's own words. Customers often tell a
# story instead of "ja"/"nein" ("hab die Box neu gestartet, aber immer noch kein
# Bild"); the last clause with such a phrase decides, a "still not" beats a
# "again" in the same clause ("jetzt geht es immer noch nicht").
_STILL_BROKEN = re.compile(
    r"\b(immer noch|noch immer|weiterhin|nach wie vor|trotzdem|genauso|unverändert|ohne erfolg|kein erfolg"
    r"|(ändert|bringt|brachte|hilft|half) (sich )?(auch )?(nix|nichts)"
    r"|hat (auch )?(nix|nichts|nicht) (gebracht|geholfen|geändert|genützt)"
    r"|bleibt (weiter |weiterhin |trotzdem )?(aus|dunkel|schwarz|tot|still|stumm)|weiter (tot|aus|schwarz)"
    r"|(damit|da) (geht es |gehts |klappt es )?auch (nicht|nichts|nix|nur)"
    # "er ist wieder an, gleiche Meldung": the device is back, the fault too
    r"|(fehler)?meldung|fehler|gleiche|gleichen|dieselbe|derselbe|selbe)\b"
)
_WORKS_AGAIN = re.compile(
    r"\b((geht|gehts|läuft|funktioniert|klappt|tutet|klingelt|lädt|ist|sind|kommt|kommen)( es| alles| das \w+)?"
    r" (jetzt )?wieder\b(?! nicht)|jetzt (geht|gehts|läuft|funktioniert|klappt|tutet|klingelt)\b(?! \w* ?nicht)"
    r"|wieder (da|online|drin|stabil|schnell|flott)\b|jetzt (ist|sind) (\w+ ){0,2}(da|an)\b"
    # "passt", but not "passt nicht" / "passt hinten nirgends rein"
    r"|passt\b(?!(?: \w+){0,2} (?:nicht|nirgends|nirgendwo|nie)\b))"
)


def check_cue(text: str) -> str | None:
    """ "affirm" when the customer says the step helped, "deny" when it did not."""
    cue = None
    for clause in _CLAUSE_BREAK.split(text.lower().replace("’", "'")):
        if not clause:
            continue
        if _STILL_BROKEN.search(clause):
            cue = "deny"
        elif _WORKS_AGAIN.search(clause):
            cue = "affirm"
    return cue


_NEW_TOPIC = re.compile(
    r"\b(außerdem|ausserdem|zusätzlich|zusaetzlich|übrigens|uebrigens|ach|noch (ein|eine|was|etwas)"
    r"|anderes|andere frage|noch ne frage)\b"
)


def names_new_topic(text: str) -> bool:
    """ "ach und das Telefon geht auch nicht": words that open another topic."""
    return bool(_NEW_TOPIC.search(text.lower()))


@dataclass(frozen=True)
class Reply:
    """What the customer said, as NLU understood it (or a tapped button)."""

    intent: str | None = None
    entities: Mapping[str, Sequence[str]] = field(default_factory=dict)
    answer_id: str | None = None  # a button names its answer directly
    text: str = ""


@dataclass(frozen=True)
class LampFact:
    """A lamp the customer described: "die DSL-Lampe blinkt grün"."""

    led: str  # key: power, dsl, internet, wlan, fon
    states: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    node: str
    kind: str  # question, instruction, line_check, outcome, handover, router, entry
    prompt: str  # what the customer was asked or told (rendered)
    answer: str | None = None
    answer_label: str | None = None
    from_earlier_message: bool = False  # answered by something the customer said before
    details: Mapping | None = None  # line check: verdict, explanation and raw measurements


@dataclass(frozen=True)
class DiagnosisState:
    area: str
    node: str
    steps: tuple[Step, ...] = ()
    router: str | None = None  # router key from routers.yml, None while unknown
    lamps: tuple[LampFact, ...] = ()
    router_asked: bool = False  # asked once for the model; "weiß ich nicht" is fine
    known: tuple[str, ...] = ()  # "area.node:answer" facts from the first message (Tree.facts)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> DiagnosisState:
        return cls(
            area=data["area"],
            node=data["node"],
            steps=tuple(Step(**s) for s in data.get("steps", ())),
            router=data.get("router"),
            router_asked=bool(data.get("router_asked", False)),
            known=tuple(data.get("known", ())),
            lamps=tuple(
                LampFact(led=f["led"], states=tuple(f.get("states", ())), colors=tuple(f.get("colors", ())))
                for f in data.get("lamps", ())
            ),
        )


@dataclass(frozen=True)
class Prompt:
    node: str
    kind: str
    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (label, answer id)
    outcome: str | None = None  # for outcome nodes
    needs_router_model: bool = False


@dataclass(frozen=True)
class DiagnosisSummary:
    area: str
    title: str
    outcome: str | None
    steps: tuple[Step, ...]
    router: str | None

    def as_text(self) -> str:
        """Plain German lines for a ticket or an agent."""
        lines = [f"Thema: {self.title}"]
        if self.router:
            lines.append(f"Router: {self.router}")
        for step in self.steps:
            if step.kind == "line_check":
                lines.append(f"- Leitungsprüfung: {step.answer} – {step.answer_label}")
                measured = (step.details or {}).get("measurements") or {}
                if measured:
                    lines.append("  Messwerte: " + ", ".join(f"{k}={v}" for k, v in measured.items()))
            elif step.answer_label:
                suffix = " (aus früherer Nachricht)" if step.from_earlier_message else ""
                lines.append(f"- {step.prompt} -> {step.answer_label}{suffix}")
            elif step.kind != "outcome":
                lines.append(f"- {step.prompt}")
        if self.outcome:
            lines.append(f"Ergebnis: {self.outcome}")
        return "\n".join(lines)


ROUTER_PREFIX = "router:"
UNKNOWN_ROUTER = "unknown"


def _compiled(words: Sequence[str]) -> tuple:
    return tuple(compile_entry(w) for w in words)


class DiagnosisEngine:
    def __init__(
        self,
        trees: Mapping[str, Tree],
        routers: RouterCatalog,
        router_question: str = "Welchen Router haben Sie?",
        dont_know_label: str = "Weiß ich nicht",
        answer_words: AnswerWords | None = None,
        first_message_label: str = "Aus der ersten Nachricht",
        solved_label: str = "Es funktioniert jetzt wieder",
    ) -> None:
        self.trees = dict(trees)
        self.routers = routers
        self.router_question = router_question
        self.dont_know_label = dont_know_label
        self.answer_words = answer_words or AnswerWords({}, {})
        self.first_message_label = first_message_label
        self.solved_label = solved_label
        # The words of every tree's entries and facts, compiled once (start() is on every new topic).
        self._entry_patterns = {area: [_compiled(e.words) for e in tree.entries] for area, tree in self.trees.items()}
        # Facts from any message: the tree's facts, and its entries that carry an answer
        # ("auf keinem Gerät" answers "Geht das Internet an einem anderen Gerät?" whenever it is said).
        self._facts = {
            area: list(tree.facts) + [e for e in tree.entries if e.answer] for area, tree in self.trees.items()
        }
        self._fact_patterns = {area: [_compiled(f.words) for f in facts] for area, facts in self._facts.items()}

    @classmethod
    def load(cls, root: Path | None = None) -> DiagnosisEngine:
        from bot.diagnosis.texts import load_texts

        root = root or knowledge_dir()
        routers = RouterCatalog.parse_obj(yaml.safe_load((root / "routers.yml").read_text(encoding="utf-8")))
        trees = {}
        for path in sorted((root / "trees").glob("*.yml")):
            tree = Tree.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")))
            trees[tree.area] = tree
        texts = load_texts(root / "diagnosis.yml")
        words = load_answer_words(root / "answer_words.yml")
        return cls(
            trees,
            routers,
            texts["router_question"],
            texts["router_unknown_label"],
            words,
            texts["first_message_label"],
            texts["solved_label"],
        )

    # --- router and lamp facts -------------------------------------------------

    def router_key(self, mention: str) -> str | None:
        """The router key for a model the customer named ("Fritzbox 7590")."""
        text = _norm(mention)
        for key, router in self.routers.routers.items():
            for synonym in sorted(router.synonyms, key=len, reverse=True):
                if _norm(synonym) and _norm(synonym) in text:
                    return key
        return None

    def led_key(self, name: str, router: str | None = None) -> str | None:
        """Which lamp a customer's word names ("DSL-Lampe", "Online", "power")."""
        word = _norm(re.sub(r"[-\s]*(lampe|led|leuchte|licht|anzeige)$", "", name.strip(), flags=re.I))
        candidates = [self._router(router)] + list(self.routers.routers.values())
        for candidate in candidates:
            for key, led in candidate.leds.items():
                names = {_norm(part) for part in re.split(r"[/,]| oder ", led.name) if part.strip()}
                if word == key or word in names:
                    return key
        return None

    def _router(self, key: str | None) -> Router:
        return self.routers.routers.get(key or self.routers.default) or self.routers.routers[self.routers.default]

    def render(self, text: str, router: str | None) -> str:
        model = self._router(router)

        def fill(match: re.Match[str]) -> str:
            name, key = match.group(1), match.group(2)
            if name == "router":
                return model.name
            if name == "restart":
                return model.restart
            if name == "reset_button":
                return model.reset_button
            led = model.leds[key]
            return {"led": led.name, "led_where": led.where, "led_normal": led.normal}[name]

        return _PLACEHOLDER.sub(fill, text)

    # --- walking ---------------------------------------------------------------

    def tree(self, area: str) -> Tree:
        try:
            return self.trees[area]
        except KeyError:
            raise DiagnosisError(f"no tree for area '{area}'") from None

    def start(
        self,
        area: str,
        router: str | None = None,
        lamps: Sequence[LampFact] = (),
        text: str = "",
        earlier: DiagnosisState | None = None,
    ) -> DiagnosisState:
        """text: the message that named the problem; a tree entry whose words it
        uses starts the tree there (router setup at the telephone). earlier: the
        diagnosis this chat had before (another topic, or one before a person took
        over); what it learnt is not asked again (Tree.carry, its facts)."""
        tree = self.tree(area)
        known = self._carried(tree, earlier) if earlier is not None else ()
        if known or (earlier is not None and not self.ended_solved(earlier)):
            # The router and its lamps as the earlier diagnosis knew them.
            router, lamps = router or earlier.router, tuple(lamps) or earlier.lamps
        fresh = DiagnosisState(area=area, node=tree.start, router=router, lamps=tuple(lamps), known=known)
        state = self.remember(fresh, text)
        entry = self._entry(tree, text)
        if entry is not None:
            # With an answer, the taken answer itself is the step the summary shows.
            steps = () if entry.answer else (Step(entry.node, "entry", f"{self.first_message_label}: {entry.label}"),)
            state = replace(state, node=entry.node, steps=steps)
            # The same message may answer the question it led to ("Schalttermin war
            # gestern" at the activation date): taken as an answer from earlier.
            node = self._node(state)
            if entry.answer is not None:
                chosen = next(a for a in node.answers if a.id == entry.answer)
                state = self._advance(state, chosen, from_earlier=True)
            elif isinstance(node, QuestionNode):
                chosen = self.by_words(state, Reply(text=text))
                if chosen is not None:
                    state = self._advance(state, chosen, from_earlier=True)
        return self._skip_known(state)

    def _carried(self, tree: Tree, earlier: DiagnosisState) -> tuple[str, ...]:
        """The facts an earlier diagnosis leaves for this tree: the ones it was told,
        and the answers Tree.carry takes from its steps, unless it ended solved
        (then what it found out may no longer be true)."""
        taken = {f"{step.node}:{step.answer}" for step in earlier.steps if step.answer}
        if self.ended_solved(earlier):
            return ()
        # A step ("internet_down.other_devices:none_works") says more than the area alone
        # ("internet_down": the customer came because the internet does not work).
        by_step = [c for c in tree.carry if any(":" in a and a.split(".", 1)[1] in taken for a in c.after)]
        by_area = [c for c in tree.carry if earlier.area in c.after and c.node not in {s.node for s in by_step}]
        carried = tuple(f"{tree.area}.{carry.node}:{carry.answer}" for carry in by_step + by_area)
        # The questions it asked and got answered, wherever a tree asks the same one
        # (a handover from the telephone leads back to the internet's lamp question).
        # Steps do not say their tree: a question is the same where node and answer are.
        answered = tuple(
            f"{area}.{step.node}:{step.answer}"
            for step in earlier.steps
            if step.kind == "question" and step.answer
            for area, other in self.trees.items()
            if isinstance(other.nodes.get(step.node), QuestionNode)
            and step.answer in [a.id for a in other.nodes[step.node].answers]
        )
        new = carried + tuple(k for k in answered if k not in carried)
        questions = {key.split(":", 1)[0] for key in new}
        return tuple(k for k in earlier.known if k.split(":", 1)[0] not in questions) + new

    def ended_solved(self, state: DiagnosisState) -> bool:
        """The customer's problem went away (a happy end, or "es geht wieder" at a step)."""
        return "solved" in {step.answer for step in state.steps} or self._is_happy_end(state.area, state.node)

    def remember(self, state: DiagnosisState, text: str) -> DiagnosisState:
        """The facts (Tree.facts, of every tree: a handover may lead there) that a
        message gives for questions still to come; asked, they are answered from it."""
        clauses = clause_words(text) if text else []
        if not clauses:
            return state
        learned = [
            key
            for area, facts in self._facts.items()
            for fact, patterns in zip(facts, self._fact_patterns[area], strict=True)
            if (key := f"{area}.{fact.node}:{fact.answer}") not in state.known
            and score_text(patterns, clauses, final_negation=True) > 0
        ]
        # A newer fact about the same question replaces the older one.
        questions = {key.split(":", 1)[0] for key in learned}
        kept = tuple(k for k in state.known if k.split(":", 1)[0] not in questions)
        return replace(state, known=kept + tuple(learned)) if learned else state

    def solved_node(self, area: str) -> str:
        """The tree's happy end: "resolved", else its first outcome "resolved"."""
        nodes = self.tree(area).nodes
        return "resolved" if "resolved" in nodes else next(n for n in nodes if self._is_happy_end(area, n))

    def _says_solved(self, state: DiagnosisState, text: str, chosen: Answer | None) -> bool:
        """Solved words that say more than the open question's own answer words do
        ("hat sich erledigt, jetzt geht alles" against "geht alles" for "works
        elsewhere"); the tree's own "fixed" answer goes its own way."""
        solved = self.answer_words.solved_score(text)
        if not solved or (chosen is not None and (chosen.id == FIXED or self._is_happy_end(state.area, chosen.next))):
            return False
        return chosen is None or solved > self.answer_words.score_of(state.area, state.node, chosen.id, text)

    def _is_happy_end(self, area: str, node_id: str) -> bool:
        node = self.tree(area).nodes.get(node_id)
        return isinstance(node, OutcomeNode) and node.outcome == "resolved"

    def _solved(self, state: DiagnosisState) -> DiagnosisState:
        node = self._node(state)
        prompt = self.render(node.check if isinstance(node, InstructionNode) else node.text, state.router)
        step = Step(state.node, node.type, prompt, "solved", self.solved_label)
        return replace(state, node=self.solved_node(state.area), steps=state.steps + (step,))

    def _entry(self, tree: Tree, text: str):
        clauses = clause_words(text) if text else []
        if not clauses:
            return None
        matching = zip(tree.entries, self._entry_patterns[tree.area], strict=True)
        said = (entry for entry, patterns in matching if score_text(patterns, clauses, final_negation=True) > 0)
        return next(said, None)

    def _router_pending(self, state: DiagnosisState) -> bool:
        node = self._node(state)
        return node.needs_router_model and state.router is None and not state.router_asked

    def prompt(self, state: DiagnosisState, short: bool = False) -> Prompt:
        """short: after a misunderstanding, an instruction is not repeated in full;
        only its check question comes again (the steps are still on screen)."""
        node = self._node(state)
        if self._router_pending(state):
            buttons = tuple(
                (router.name, ROUTER_PREFIX + key)
                for key, router in self.routers.routers.items()
                if key != self.routers.default
            ) + ((self.dont_know_label, ROUTER_PREFIX + UNKNOWN_ROUTER),)
            return Prompt(state.node, "router_question", self.router_question, buttons)
        text = self.render(node.text, state.router)
        if state.steps and state.steps[-1].kind == "handover":
            # Just handed over from another tree: say why first, then the new question.
            text = f"{state.steps[-1].prompt}\n\n{text}"
        if isinstance(node, OutcomeNode):
            return Prompt(state.node, "outcome", text, outcome=node.outcome.value)
        if isinstance(node, LineCheckNode):
            return Prompt(state.node, "line_check", text)
        if isinstance(node, InstructionNode):
            check = self.render(node.check, state.router)
            text = check if short else f"{text}\n\n{check}"
        buttons = tuple((self.render(a.label, state.router), a.id) for a in node.answers)
        return Prompt(state.node, node.type, text, buttons, needs_router_model=node.needs_router_model)

    def help_text(self, state: DiagnosisState) -> str | None:
        node = self._node(state)
        return self.render(node.help, state.router) if node.help else None

    def why_text(self, state: DiagnosisState) -> str | None:
        node = self._node(state)
        return self.render(node.why, state.router) if node.why else None

    def match(self, state: DiagnosisState, reply: Reply) -> Answer | None:
        """The answer a reply means at the current node, or None when unclear."""
        node = self._node(state)
        answers = getattr(node, "answers", [])
        if reply.answer_id:
            return next((a for a in answers if a.id == reply.answer_id), None)
        said_states = {
            entity: [v for v in values if not _negated(v, reply.text)] for entity, values in reply.entities.items()
        }
        # A colour says more than "leuchtet": "leuchtet rot" is standby, not "on".
        scores = {
            a.id: sum(
                ENTITY_WEIGHT.get(entity, 1)
                for entity, values in a.entities.items()
                if any(same_word(said, value) for value in values for said in said_states.get(entity, ()))
            )
            for a in answers
        }
        best = max(scores.values(), default=0)
        by_entity = [a for a in answers if best and scores[a.id] == best]
        if len(by_entity) == 1:
            return by_entity[0]
        if len(by_entity) > 1 and reply.intent:
            preferred = [a for a in by_entity if reply.intent in a.intents]
            if len(preferred) == 1:
                return preferred[0]
        by_intent = [a for a in answers if reply.intent and reply.intent in a.intents and not a.entities]
        if len(by_intent) == 1:
            return by_intent[0]
        # "ja" may pick an answer that also lists lamp states; a bare fact
        # ("inform": "am Laptop") only counts through a matching entity.
        by_intent = [
            a
            for a in answers
            if reply.intent and reply.intent in a.intents and not (reply.intent == "inform" and a.entities)
        ]
        if len(by_intent) == 1:
            return by_intent[0]
        # Last resort: a lamp-state word in the customer's own text ("aus",
        # "blinkt") when NLU found no entity. Colours are left out ("weiß" is also
        # "ich weiß nicht"), and so are words under three letters ("an").
        words = [w for w in re.findall(r"\w+", reply.text) if len(w) >= 3 and not _negated(w, reply.text)]
        by_word = [
            a
            for a in answers
            if any(same_word(w, v) for v in a.entities.get("led_state", ()) if len(v) >= 3 for w in words)
        ]
        if len(by_word) == 1:
            return by_word[0]
        return _by_label(answers, reply.text)

    def answer(self, state: DiagnosisState, reply: Reply) -> DiagnosisState | None:
        """Apply the customer's reply; None when it does not answer the question."""
        if self._router_pending(state):
            return self._answer_router(state, reply)
        state = self.remember(state, reply.text)
        chosen = self.by_words(state, reply)
        if not reply.answer_id and self._says_solved(state, reply.text, chosen):
            # "nein, das internet geht jetzt wieder": solved, whatever this question asked.
            return self._solved(state)
        if chosen is None and not reply.answer_id:
            # A fact for this very question, in words that are not its answer words
            # ("bei t-online.de komm ich rein" to "Geht das Internet sonst?").
            told = self._skip_known(state)
            if told.node != state.node or told.area != state.area:
                return told
        # A leading "ja"/"nein" is the customer's own verdict; the story after it
        # only explains ("Nein, die anderen Geräte sind wieder online, nur das Tablet nicht").
        instruction = isinstance(self._node(state), InstructionNode)
        cue = check_cue(reply.text) if instruction and leading_yes_no(reply.text) is None else None
        if cue and not reply.answer_id and chosen is None:
            chosen = self.match(state, Reply(intent=cue))
        chosen = chosen or self.match(state, reply)
        if chosen is None:
            return None
        return self._skip_known(self._advance(state, chosen, from_earlier=False))

    def rejects_topic(self, state: DiagnosisState, text: str) -> bool:
        """"Nein, das Internet ist nicht langsam!" in the slow tree: not this tree's
        problem (answer_words.yml wrong_topic), unless the words answer the question."""
        if not text or not self.answer_words.says_wrong_topic(state.area, text):
            return False
        return self._router_pending(state) or self.by_words(state, Reply(text=text)) is None

    def by_words(self, state: DiagnosisState, reply: Reply) -> Answer | None:
        """The answer of the open question whose words the customer used
        (knowledge/answer_words.yml); None when a button was tapped or the words
        do not decide."""
        if reply.answer_id or not reply.text:
            return None
        answers = getattr(self._node(state), "answers", [])
        chosen_id = self.answer_words.choose(state.area, state.node, [a.id for a in answers], reply.text)
        chosen = next((a for a in answers if a.id == chosen_id), None)
        # A leading "nein" against words that mean yes ("Nein, ... die anderen Geräte
        # sind wieder online, nur das Tablet nicht"): the words do not decide.
        opposite = {"affirm": "deny", "deny": "affirm"}.get(leading_yes_no(reply.text) or "")
        if chosen is not None and opposite in chosen.intents:
            return None
        return chosen

    def problem_restated(self, state: DiagnosisState) -> DiagnosisState | None:
        """The customer names the same problem again ("immer noch genauso
        langsam") while the check after an instruction is open: the step did not
        help. None at other nodes, where restating the problem answers nothing."""
        if self._router_pending(state) or not isinstance(self._node(state), InstructionNode):
            return None
        return self.answer(state, Reply(intent="deny"))

    def line_result(
        self, state: DiagnosisState, verdict: LineVerdictRoute, details: Mapping | None = None
    ) -> DiagnosisState:
        """Continue after a line check. details (verdict id, its explanation, the
        raw measurements) go into the step, so tickets and agents see them."""
        node = self._node(state)
        if not isinstance(node, LineCheckNode):
            raise DiagnosisError(f"node '{state.node}' is not a line check")
        target = node.routes.get(verdict) or node.routes[LineVerdictRoute.OK]
        label = (details or {}).get("text") or verdict.value
        step = Step(
            state.node, "line_check", self.render(node.text, state.router), verdict.value, label,
            details=dict(details) if details else None,
        )
        return self._skip_known(replace(state, node=target, steps=state.steps + (step,)))

    def back(self, state: DiagnosisState) -> DiagnosisState:
        """One step back: the last question the customer answered themselves."""
        steps = list(state.steps)
        while steps:
            last = steps.pop()
            if last.kind == "handover":
                return state  # the answers before it belong to another tree
            if last.kind in ("question", "instruction") and not last.from_earlier_message:
                return replace(state, node=last.node, steps=tuple(steps))
        return state

    def learn(self, state: DiagnosisState, router: str | None = None, lamps: Sequence[LampFact] = ()) -> DiagnosisState:
        """Remember a router model or lamp states mentioned mid-conversation."""
        state = replace(
            state,
            router=router or state.router,
            router_asked=state.router_asked or bool(router),
            lamps=state.lamps + tuple(lamps),
        )
        return self._skip_known(state)

    def is_finished(self, state: DiagnosisState) -> bool:
        return isinstance(self._node(state), OutcomeNode)

    def summary(self, state: DiagnosisState) -> DiagnosisSummary:
        node = self._node(state)
        outcome = node.outcome.value if isinstance(node, OutcomeNode) else None
        router = self._router(state.router).name if state.router else None
        return DiagnosisSummary(state.area, self.tree(state.area).title, outcome, state.steps, router)

    # --- internals ---------------------------------------------------------------

    def _answer_router(self, state: DiagnosisState, reply: Reply) -> DiagnosisState | None:
        key: str | None = None
        if reply.answer_id and reply.answer_id.startswith(ROUTER_PREFIX):
            key = reply.answer_id[len(ROUTER_PREFIX) :]
        else:
            for mention in list(reply.entities.get("router_model", ())) + [reply.text]:
                key = self.router_key(mention) if mention else None
                if key:
                    break
            if key is None and reply.intent in ("dont_know", "deny"):
                key = UNKNOWN_ROUTER
        if key is None or (key != UNKNOWN_ROUTER and key not in self.routers.routers):
            return None
        known = key if key != UNKNOWN_ROUTER else None
        label = self._router(known).name if known else self.dont_know_label
        step = Step(state.node, "router", self.router_question, key, label)
        return self._skip_known(replace(state, router=known, router_asked=True, steps=state.steps + (step,)))

    def _node(self, state: DiagnosisState):
        try:
            return self.tree(state.area).nodes[state.node]
        except KeyError:
            raise DiagnosisError(f"area '{state.area}' has no node '{state.node}'") from None

    def _advance(self, state: DiagnosisState, answer: Answer, from_earlier: bool) -> DiagnosisState:
        node = self._node(state)
        prompt = self.render(node.check if isinstance(node, InstructionNode) else node.text, state.router)
        step = Step(state.node, node.type, prompt, answer.id, self.render(answer.label, state.router), from_earlier)
        return replace(state, node=answer.next, steps=state.steps + (step,))

    def _skip_known(self, state: DiagnosisState) -> DiagnosisState:
        """Answer questions about lamps the customer already described, and follow
        a handover into another tree."""
        visited = set()
        while (state.area, state.node) not in visited:
            visited.add((state.area, state.node))
            node = self._node(state)
            if isinstance(node, HandoverNode):
                step = Step(state.node, "handover", self.render(node.text, state.router))
                state = replace(state, area=node.area, node=node.node, steps=state.steps + (step,))
                continue
            here = f"{state.area}.{state.node}"
            told = next((k.split(":", 1)[1] for k in state.known if k.split(":", 1)[0] == here), None)
            if isinstance(node, QuestionNode) and told is not None and not self._router_pending(state):
                chosen = next((a for a in node.answers if a.id == told), None)
                if chosen is not None:
                    state = self._advance(state, chosen, from_earlier=True)
                    continue
            if not isinstance(node, QuestionNode) or node.led is None:
                return state
            facts = [f for f in state.lamps if f.led == node.led]
            if not facts:
                return state
            said = {
                "led_state": [s for f in facts for s in f.states],
                "led_color": [c for f in facts for c in f.colors],
            }
            chosen = self.match(state, Reply(intent="inform", entities=said))
            if chosen is None:
                return state
            state = self._advance(state, chosen, from_earlier=True)
        return state
