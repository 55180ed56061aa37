"""Every verdict and ticket status has a German label in the console."""

import yaml

from bot.console.service import TICKET_STATUS, VERDICTS
from bot.paths import knowledge_dir
from bot.tickets.models import TicketStatus


def test_every_verdict_in_the_knowledge_has_a_console_label():
    verdicts = yaml.safe_load((knowledge_dir() / "verdicts.yml").read_text(encoding="utf-8"))["verdicts"]
    assert {v["id"] for v in verdicts} <= set(VERDICTS)


def test_every_ticket_status_has_a_console_label():
    assert {s.value for s in TicketStatus} == set(TICKET_STATUS)
