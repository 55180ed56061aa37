"""Topics the assistant offers as buttons, loaded from knowledge/topics.yml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.paths import knowledge_dir


class TopicsError(ValueError):
    """knowledge/topics.yml is malformed; the message names the entry."""


@dataclass(frozen=True)
class Topic:
    intent: str
    label: str
    menu: bool


PROMPT_KEYS = ("menu", "suggest", "choose", "rephrase", "again", "empty", "language", "lost")


@dataclass(frozen=True)
class TopicCatalog:
    topics: tuple[Topic, ...]
    none_of_these_label: str
    prompts: dict[str, str]

    def menu(self) -> list[Topic]:
        return [t for t in self.topics if t.menu]

    def get(self, intent: str) -> Topic | None:
        return next((t for t in self.topics if t.intent == intent), None)


def parse_topics(raw: dict, source: str = "topics.yml") -> TopicCatalog:
    if not isinstance(raw, dict) or not isinstance(raw.get("topics"), list):
        raise TopicsError(f"{source}: expected a mapping with a list 'topics'")
    topics, seen = [], set()
    for index, entry in enumerate(raw["topics"]):
        where = f"{source}: topics[{index}]"
        if not isinstance(entry, dict):
            raise TopicsError(f"{where}: expected a mapping")
        intent, label = entry.get("intent"), entry.get("label")
        if not isinstance(intent, str) or not intent:
            raise TopicsError(f"{where}: 'intent' is missing")
        if not isinstance(label, str) or not label.strip():
            raise TopicsError(f"{where} ({intent}): 'label' (German button text) is missing")
        if intent in seen:
            raise TopicsError(f"{where}: intent '{intent}' is listed twice")
        seen.add(intent)
        menu = entry.get("menu", False)
        if not isinstance(menu, bool):
            raise TopicsError(f"{where} ({intent}): 'menu' must be true or false, not {menu!r}")
        topics.append(Topic(intent=intent, label=label.strip(), menu=menu))
    none_label = raw.get("none_of_these_label")
    if not isinstance(none_label, str) or not none_label.strip():
        raise TopicsError(f"{source}: 'none_of_these_label' (German button text) is missing")
    prompts = raw.get("prompts")
    if not isinstance(prompts, dict):
        raise TopicsError(f"{source}: 'prompts' (German texts) is missing")
    for key in PROMPT_KEYS:
        if not isinstance(prompts.get(key), str) or not prompts[key].strip():
            raise TopicsError(f"{source}: prompts.{key} (German text) is missing")
    unknown = sorted(set(prompts) - set(PROMPT_KEYS))
    if unknown:
        raise TopicsError(f"{source}: unknown prompts {', '.join(unknown)}; known: {', '.join(PROMPT_KEYS)}")
    return TopicCatalog(
        topics=tuple(topics),
        none_of_these_label=none_label.strip(),
        prompts={key: prompts[key].strip() for key in PROMPT_KEYS},
    )


@lru_cache(maxsize=4)
def _load(path: Path) -> TopicCatalog:
    with path.open(encoding="utf-8") as handle:
        return parse_topics(yaml.safe_load(handle), source=str(path))


def load_topics(path: Path | None = None) -> TopicCatalog:
    return _load(path or knowledge_dir() / "topics.yml")
