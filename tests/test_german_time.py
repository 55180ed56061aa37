from datetime import datetime, timezone

import pytest

from bot.german_time import day_greeting, daytime_words, farewell


def _at(hour_utc: int) -> datetime:
    # 1 December: Germany is UTC+1.
    return datetime(2026, 12, 1, hour_utc, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("hour_utc", "greeting", "goodbye"),
    [
        (5, "Guten Morgen", "einen schönen Tag"),  # 6:30 in Germany
        (12, "Guten Tag", "einen schönen Tag"),
        (16, "Guten Tag", "einen schönen Abend"),  # 17:30
        (17, "Guten Abend", "einen schönen Abend"),  # 18:30
        (21, "Guten Abend", "eine gute Nacht"),  # 22:30
        (1, "Hallo", "eine gute Nacht"),  # 2:30 at night: no "schönen Tag", no "Guten Abend"
    ],
)
def test_greetings_follow_the_hour_in_germany(hour_utc, greeting, goodbye):
    assert day_greeting(_at(hour_utc)) == greeting
    assert farewell(_at(hour_utc)) == goodbye
    assert daytime_words(_at(hour_utc)) == {"greeting": greeting, "farewell": goodbye}


def test_summer_time_is_german_local_time():
    # 1 July, 9:30 UTC is 11:30 in Germany (UTC+2): already "Guten Tag".
    assert day_greeting(datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc)) == "Guten Tag"
