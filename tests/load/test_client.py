from bot.load.client import Measurement, check_answer


def test_an_answer_counts_only_if_it_is_for_this_customer_and_says_what_it_should():
    ok = [{"recipient_id": "a", "text": "Welchen Router haben Sie?"}]
    assert check_answer("a", 200, ok, None) is None
    assert check_answer("a", 200, ok, "router") is None  # case does not matter
    assert check_answer("a", 200, ok, "Kundennummer").startswith("expected")
    assert check_answer("b", 200, ok, None) == "foreign"
    assert check_answer("a", 500, ok, None) == "HTTP 500"
    assert check_answer("a", 200, [], None) == "no answer"
    assert check_answer("a", 200, {"error": "x"}, None) == "no answer"


def test_percentiles_throughput_and_merging():
    first = Measurement("bot", 10, seconds=2.0, latencies_ms=[float(v) for v in range(1, 101)])
    assert first.p50 == 50.5 and round(first.p95) == 95
    assert first.throughput == 50.0
    second = Measurement("bot", 10, seconds=2.0, latencies_ms=[1000.0] * 100, errors=1, foreign=1)
    first.merge(second)
    assert first.throughput == 50.0 and first.errors == 1 and first.foreign == 1
    assert first.p95 == 1000.0
    assert Measurement("bot", 1).throughput == 0.0
