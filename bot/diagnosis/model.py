"""The troubleshooting content as typed data: trees in knowledge/trees/, routers in
knowledge/routers.yml. Support leads edit the YAML; these models say what is valid.

A tree is a graph of nodes, entered at `start`:
- question: the bot asks, the customer answers (buttons or free text);
- instruction: the customer does something, then the bot asks the `check` question;
- line_check: the bot checks the line (issue 4); the verdict picks the next node;
- outcome: the end of the tree (resolved, line_check, ticket, handoff, info).

Texts may name router lamps with placeholders that the customer's router model
fills in: {led:dsl}, {led_where:dsl}, {reset_button}, {router}. See knowledge/README.md.
"""

from __future__ import annotations

from enum import Enum
from typing import Dict, List, Literal, Union

from pydantic import BaseModel, Extra, Field, validator

NODE_ID = r"^[a-z][a-z0-9_]*$"

# The problem intents that have a troubleshooting tree (one file each in knowledge/trees/).
PROBLEM_AREAS = (
    "internet_down",
    "internet_slow",
    "internet_dropouts",
    "wifi_problem",
    "phone_down",
    "tv_problem",
    "email_problem",
    "router_setup",
)


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid  # a misspelt key is an error, not silently ignored
        allow_mutation = False


class Answer(_Strict):
    """One way to answer a question; `next` is the node that follows."""

    id: str = Field(..., regex=NODE_ID)
    label: str  # German button text, short ("Ja, sie leuchtet")
    next: str
    # Free-text understanding: NLU intents that mean this answer (affirm, deny,
    # dont_know, already_done, inform, ...) and entity values that mean it
    # ({led_state: [blinkt]}). An answer with neither can only be tapped.
    intents: List[str] = []
    entities: Dict[str, List[str]] = {}
    # Optional German sentence the bot says when this answer is chosen.
    reply: str | None = None


class _Node(_Strict):
    text: str  # German: the question, the instruction, or the outcome message
    # Answer to "wo ist das?" / "was ist das?" at this node (ask_where).
    help: str | None = None
    # Answer to "warum fragen Sie das?" at this node (ask_why).
    why: str | None = None
    # The router model matters here: ask for it once if it is not known yet.
    needs_router_model: bool = False
    # The lamp this node asks about (power, dsl, internet, wlan, fon). A lamp state
    # the customer already described ("die DSL-Lampe blinkt") answers the question,
    # so the assistant does not ask it again.
    led: str | None = None
    # This node may be reached again on purpose (e.g. "try once more"); without
    # the flag, a cycle through it is reported as an error.
    repeatable: bool = False


class QuestionNode(_Node):
    type: Literal["question"]
    answers: List[Answer] = Field(..., min_items=2)


class InstructionNode(_Node):
    type: Literal["instruction"]
    check: str  # German question after the step ("Leuchtet die Lampe jetzt?")
    answers: List[Answer] = Field(..., min_items=2)


class LineVerdictRoute(str, Enum):
    OUTAGE = "outage"
    FAULT = "fault"
    UNSTABLE = "unstable"
    SLOW = "slow"
    TELEPHONY = "telephony"
    OK = "ok"
    UNAVAILABLE = "unavailable"  # backend down or customer not identified


class LineCheckNode(_Node):
    type: Literal["line_check"]
    # Next node per line verdict; "ok" and "unavailable" are required, other
    # verdicts fall back to "ok" when not listed.
    routes: Dict[LineVerdictRoute, str]

    @validator("routes")
    def _ok_and_unavailable_required(cls, routes: Dict[LineVerdictRoute, str]) -> Dict[LineVerdictRoute, str]:
        missing = {LineVerdictRoute.OK, LineVerdictRoute.UNAVAILABLE} - set(routes)
        if missing:
            raise ValueError(f"routes must name {', '.join(sorted(m.value for m in missing))}")
        return routes


class OutcomeKind(str, Enum):
    RESOLVED = "resolved"
    LINE_CHECK = "line_check"
    TICKET = "ticket"
    HANDOFF = "handoff"
    INFO = "info"


class OutcomeNode(_Node):
    type: Literal["outcome"]
    outcome: OutcomeKind


class HandoverNode(_Node):
    """The diagnosis goes on in another tree: "the internet does not work on any
    device either", found while checking the WLAN or the e-mails, is the internet
    tree's case. The text is said first; what was asked so far stays in the steps,
    so the line check and the ticket see it."""

    type: Literal["handover"]
    area: str  # the problem area whose tree takes over
    node: str  # the node of that tree to go on at


# typing.Union, not X | Y: pydantic 1.10 resolves this alias at class creation.
Node = Union[QuestionNode, InstructionNode, LineCheckNode, OutcomeNode, HandoverNode]  # noqa: UP007


class Entry(_Strict):
    """Another way into a tree, taken when the customer's first message already
    says how far they are: "das Internet geht, wo stecke ich jetzt das Telefon
    ein?" starts router setup at the telephone, not at the wall socket. `words`
    are written like knowledge/answer_words.yml (a negated phrase does not count)."""

    node: str
    label: str  # German, for the ticket and the agent: what the first message said
    words: List[str]
    # The answer the first message gives to the question at `node` ("auf keinem
    # Gerät" to "Geht das Internet an einem anderen Gerät?"): taken, not asked.
    answer: str | None = None


class Carry(_Strict):
    """A question of this tree that an earlier diagnosis in the same chat answered
    already: after "Geht das Internet an einem anderen Gerät?" – "Nein, auf keinem",
    the telephone's "Funktioniert Ihr Internet gerade?" is not asked again. Taken
    when the earlier diagnosis took one of the steps in `after` ("area.node:answer"),
    or, weaker, was about an area named in `after` ("internet_down"), and did not end
    solved."""

    node: str
    answer: str
    after: List[str]


class Tree(_Strict):
    area: str  # the problem intent this tree diagnoses, e.g. internet_down
    title: str  # German, e.g. "Internet geht gar nicht"
    start: str
    # Checked in order against the first message; the first that fits wins, else `start`.
    entries: List[Entry] = []
    # Facts the first message may already give for a later question ("alle Lampen sind
    # aus" for the DSL lamp): each needs `answer`; taken when that question comes up.
    facts: List[Entry] = []
    # Questions answered by an earlier diagnosis in the same chat (a second topic).
    carry: List[Carry] = []
    # A line check is useful for this area (issue 4 asks for customer number and
    # postal code only then).
    line_check_useful: bool = False
    nodes: Dict[str, Node]

    @validator("nodes")
    def _node_ids(cls, nodes: Dict[str, Node]) -> Dict[str, Node]:
        import re

        bad = [node_id for node_id in nodes if not re.match(NODE_ID, node_id)]
        if bad:
            raise ValueError(f"node ids must be lower_snake_case: {', '.join(bad)}")
        return nodes


class Led(_Strict):
    name: str  # the label printed on the device, German/English as printed ("DSL", "Online")
    where: str  # German: where to find it ("vorne, die zweite Lampe von links")
    normal: str  # German: how it looks when all is well ("leuchtet dauerhaft grün")


LED_KEYS = ("power", "dsl", "internet", "wlan", "fon")


class Router(_Strict):
    name: str  # as customers see it, e.g. "FRITZ!Box"
    synonyms: List[str] = []  # lower-case words that identify it in chat ("fritzbox", "fritz box")
    leds: Dict[str, Led]
    reset_button: str  # German: where the reset button is and how to use it (carefully!)
    restart: str  # German: how to restart it properly

    @validator("leds")
    def _all_led_keys(cls, leds: Dict[str, Led]) -> Dict[str, Led]:
        missing = [key for key in LED_KEYS if key not in leds]
        if missing:
            raise ValueError(f"leds must describe {', '.join(missing)}")
        return leds


class RouterCatalog(_Strict):
    default: str  # the router key used when the model is unknown
    routers: Dict[str, Router]

    @validator("routers")
    def _default_exists(cls, routers: Dict[str, Router], values: dict) -> Dict[str, Router]:
        if values.get("default") and values["default"] not in routers:
            raise ValueError(f"default router '{values['default']}' is not listed under routers")
        return routers
