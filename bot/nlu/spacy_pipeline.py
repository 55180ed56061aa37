"""Builds the German spaCy pipeline that config.yml loads from var/spacy/de_telco.

Use de_core_news_sm when it is installed (an operator with internet access can
`pip install` it). Otherwise build a small pipeline from spacy.blank("de") with the
lookup lemmatizer of spacy-lookups-data. Nothing here downloads anything.

The lookup table is made friendlier to chat German: customers write nouns in
lower case ("die lampe blinkt") and umlauts as ae/oe/ue ("faellt aus"), so every
entry is also added in lower case and transliterated, which lets "lampen",
"Lampen" and "lämpchen"-free variants share one lemma feature.

Run: python -m bot.nlu.spacy_pipeline [--output var/spacy/de_telco] [--force]
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path

DEFAULT_OUTPUT = Path("var/spacy/de_telco")
FULL_MODEL = "de_core_news_sm"
_MARKER = "telco_pipeline.json"
BUILD_VERSION = 2  # bump when the build recipe changes, so `make` rebuilds

logger = logging.getLogger(__name__)

TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def chat_lemma_table(table: dict[str, str]) -> dict[str, str]:
    """Extend a spaCy lemma lookup table with lower-case and ae/oe/ue spellings.

    Exact entries always win; for a lower-case key, an entry that is lower case in
    the original (a verb or adjective) wins over a capitalised noun.
    """
    result = {key: value.lower() for key, value in table.items()}
    lower_first = sorted(table.items(), key=lambda kv: kv[0] != kv[0].lower())
    for key, value in lower_first:
        lemma = value.lower()
        for variant in (key.lower(), key.lower().translate(TRANSLITERATION)):
            result.setdefault(variant, lemma)
    return result


def _full_model_available() -> bool:
    try:
        import importlib.util

        return importlib.util.find_spec(FULL_MODEL) is not None
    except (ImportError, ValueError):
        return False


def build(output: Path = DEFAULT_OUTPUT, force: bool = False) -> str:
    """Build the pipeline into output; returns which kind was built."""
    import spacy

    kind = FULL_MODEL if _full_model_available() else "blank-de+lookup-lemmatizer"
    marker = output / _MARKER
    if not force and marker.exists():
        info = json.loads(marker.read_text())
        if info.get("kind") == kind and info.get("version") == BUILD_VERSION:
            logger.info("spaCy pipeline %s is up to date (%s)", output, kind)
            return kind

    if kind == FULL_MODEL:
        print(f"Building the German spaCy pipeline from {FULL_MODEL} ...", flush=True)
        nlp = spacy.load(FULL_MODEL)
    else:
        print("Building the German spaCy pipeline (spacy.blank(\"de\") + lookup lemmatizer) ...", flush=True)
        import spacy_lookups_data
        import srsly
        from spacy.lookups import Lookups

        raw = srsly.read_gzip_json(spacy_lookups_data.get_file("de_lemma_lookup.json.gz"))
        lookups = Lookups()
        lookups.add_table("lemma_lookup", chat_lemma_table(raw))
        nlp = spacy.blank("de")
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize(lookups=lookups)

    if output.exists():
        shutil.rmtree(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    marker.write_text(json.dumps({"kind": kind, "version": BUILD_VERSION}))
    print(f"spaCy pipeline saved to {output} ({kind})", flush=True)
    return kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    build(args.output, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
