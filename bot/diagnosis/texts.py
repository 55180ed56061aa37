"""Texts the assistant says around the trees, from knowledge/diagnosis.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.paths import knowledge_dir

TEXT_KEYS = (
    "not_understood",
    "not_understood_again",
    "stuck",
    "person_button",
    "no_explanation",
    "back",
    "back_at_start",
    "resume",
    "ask_customer_number",
    "ask_postal_code",
    "customer_number_invalid",
    "customer_number_letter",
    "customer_number_short",
    "customer_number_long",
    "postal_code_invalid",
    "identification_mismatch",
    "identification_failed",
    "identification_skipped",
    "identification_locked",
    "lost",
    "router_question",
    "router_unknown_label",
    "complaint",
    "complaint_opening",
    "first_message_label",
    "solved_label",
    "wrong_topic",
    "topic_queued",
    "numbers_kept",
    "phone_without_callback",
    "phone_with_callback",
    "numbers_noted",
)


class DiagnosisTextsError(ValueError):
    pass


def parse_texts(raw: object, source: str = "diagnosis.yml") -> dict[str, str]:
    texts = raw.get("texts") if isinstance(raw, dict) else None
    if not isinstance(texts, dict):
        raise DiagnosisTextsError(f"{source}: expected a mapping 'texts'")
    missing = [k for k in TEXT_KEYS if not isinstance(texts.get(k), str) or not texts[k].strip()]
    if missing:
        raise DiagnosisTextsError(f"{source}: texts missing: {', '.join(missing)}")
    unknown = sorted(set(texts) - set(TEXT_KEYS))
    if unknown:
        raise DiagnosisTextsError(f"{source}: unknown texts {', '.join(unknown)}")
    return {k: texts[k].strip() for k in TEXT_KEYS}


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, str]:
    return parse_texts(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def load_texts(path: Path | None = None) -> dict[str, str]:
    return _load(path or knowledge_dir() / "diagnosis.yml")
