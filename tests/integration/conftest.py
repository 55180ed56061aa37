"""The real Rasa server and action server for the integration tests (bot.devstack)."""

from __future__ import annotations

import pytest

from bot.devstack import BotStartError, LocalBot, local_bot
from bot.paths import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"


@pytest.fixture(scope="session")
def bot(tmp_path_factory) -> LocalBot:
    # DEBUG logging on purpose: Rasa then logs user texts, which the personal-data
    # filter from logging.yml must mask.
    try:
        with local_bot(MODEL, tmp_path_factory.mktemp("bot"), debug_logging=True) as running:
            yield running
    except BotStartError as error:
        pytest.fail(str(error))
