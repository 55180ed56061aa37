"""What is wrong with a customer number that is not 10 digits, said specifically."""

import pytest

from bot.diagnosis.texts import load_texts
from bot.identity import customer_number_problem, digits, well_formed


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("4711000O02", "customer_number_letter"),  # a letter O for a zero
        ("meine nummer ist 4711 000 O02", "customer_number_letter"),
        ("471100002", "customer_number_short"),  # a digit missing
        ("47110000021", "customer_number_long"),
        ("weiß nicht", "customer_number_invalid"),
    ],
)
def test_the_problem_is_named(typed, problem):
    assert customer_number_problem(typed) == problem
    assert load_texts()[problem]  # every problem has its German text


def test_well_formed_pairs():
    assert well_formed("4711 000 002", "50667") and not well_formed("471100002", "50667")
    assert digits("47-11") == "4711"
