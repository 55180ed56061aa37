"""Free-text replies read against the answers of the open question."""

from bot.dialogue.answer_words import check_answer_words, load_answer_words, parse

WORDS = parse(
    {
        "answers": {"fixed": ["geht wieder", "klappt"], "not_fixed": ["immer noch nicht", "nichts geändert"]},
        "nodes": {
            "internet_down.other_devices": {
                "other_works": ["handy geht", "nur am laptop"],
                "none_works": ["nirgends", "auch nicht"],
            },
            "internet_dropouts.pattern": {"often": ["* mal am tag", "ständig"], "once_daily": ["ein mal am tag"]},
        },
        "not_at_hand": ["nicht zur hand", "hab ich nicht"],
    }
)
OTHER = ["other_works", "none_works", "unknown"]


def test_the_answer_whose_words_the_customer_used_wins():
    text = "Eigentlich nur am Laptop, das Handy geht"
    assert WORDS.choose("internet_down", "other_devices", OTHER, text) == "other_works"
    assert WORDS.choose("internet_down", "other_devices", OTHER, "nee, nirgends") == "none_works"
    assert WORDS.choose("internet_down", "power_check", ["fixed", "not_fixed"], "jetzt geht wieder alles") == "fixed"


def test_a_negation_around_a_phrase_cancels_it_but_a_phrase_with_its_own_negation_counts():
    # "handy geht" is cancelled by the "nicht" after it; "auch nicht" says none works
    assert WORDS.choose("internet_down", "other_devices", OTHER, "das handy geht auch nicht") == "none_works"
    assert WORDS.choose("internet_down", "power_check", ["fixed", "not_fixed"], "klappt nicht") is None
    assert WORDS.choose("internet_down", "power_check", ["fixed", "not_fixed"], "geht immer noch nicht") == "not_fixed"


def test_a_negation_in_the_next_clause_does_not_cancel_a_phrase():
    text = "das handy geht, aber der laptop nicht"
    assert WORDS.choose("internet_down", "other_devices", OTHER, text) == "other_works"


def test_longer_phrases_weigh_more_and_a_tie_leaves_it_to_nlu():
    often = ["often", "once_daily", "unknown"]
    assert WORDS.choose("internet_dropouts", "pattern", often, "so vier mal am tag") == "often"
    assert WORDS.choose("internet_dropouts", "pattern", often, "ein mal am tag") == "once_daily"
    colours = parse({"answers": {"red": ["rot"], "green": ["grün"]}})
    assert colours.choose("tv_problem", "receiver_power", ["red", "green"], "erst rot, dann grün") is None
    assert WORDS.choose("internet_down", "other_devices", OTHER, "ja") is None


def test_overlapping_phrases_count_their_shared_words_once():
    words = parse({"nodes": {"phone_down.phone_port": {
        "in_router": ["im router", "steckt hinten im router"],
        "in_lan": ["gelbe buchse", "da steht lan"],
    }}})
    ports = ["in_router", "in_lan"]
    # four words for the router (not 4 + 2), five for LAN
    text = "es steckt hinten im router in der gelbe buchse, da steht lan"
    assert words.choose("phone_down", "phone_port", ports, text) == "in_lan"
    assert words.choose("phone_down", "phone_port", ports, "es steckt hinten im router") == "in_router"


def test_a_phrase_a_question_gives_to_one_answer_is_not_another_answers_there():
    words = parse({
        "answers": {"not_fixed": ["blinkt trotzdem", "immer noch nicht"]},
        "nodes": {"router_setup.connect_dsl": {"blinking": ["blinkt trotzdem"]}},
    })
    ids = ["blinking", "not_fixed"]
    assert words.choose("router_setup", "connect_dsl", ids, "ist angeschlossen, blinkt trotzdem") == "blinking"
    assert words.choose("router_setup", "connect_dsl", ids, "geht immer noch nicht") == "not_fixed"
    assert words.choose("internet_down", "power_check", ids, "blinkt trotzdem") == "not_fixed"


def test_not_at_hand():
    assert WORDS.says_not_at_hand("habe ich gerade nicht zur hand")
    assert not WORDS.says_not_at_hand("4711000001")


def test_solved_at_any_step_only_in_a_clause_without_a_negation():
    words = parse({"solved_now": ["geht wieder", "gehen wieder", "geht jetzt wieder", "jetzt geht", "jetzt gehn"]})
    assert words.says_solved("es geht wieder! alles gut")
    assert words.says_solved("nein das internet geht jetzt wieder")
    assert words.says_solved("jetzt gehn die mails raus")
    assert not words.says_solved("jetzt geht das telefon auch nicht mehr")  # the negation is far behind
    assert not words.says_solved("es geht wieder nicht")
    assert not words.says_solved("geht schon wieder los")  # the problem is back
    assert not words.says_solved("ja, das internet geht")
    assert not words.says_solved("Die anderen gehen wieder, nur das Tablet nicht.")  # only partly
    assert words.says_solved("nein ich starte nix neu, jetzt geht es!")  # the no is to the restart


def test_the_solved_phrases_have_no_wildcard():
    assert "no * here" in "\n".join(check_answer_words({"solved_now": ["geht * wieder"]}, {}))


def test_the_knowledge_file_is_checked_against_the_trees():
    nodes = {"internet_down.other_devices": ["other_works", "none_works"], "x.y": ["fixed"]}
    data = {
        "answers": {"fixed": ["ok"], "gone": ["x"]},
        "nodes": {"internet_down.other_devices": {"maybe": ["a"]}, "nowhere.node": {"fixed": ["b"]}},
        "extra": [],
    }
    problems = "\n".join(check_answer_words(data, nodes))
    assert "no tree has an answer 'gone'" in problems
    assert "has no answer 'maybe'" in problems
    assert "no question 'nowhere.node'" in problems
    assert "unknown sections" in problems
    assert check_answer_words({"answers": {"fixed": ["t*"]}}, nodes)  # a stem too short for *


def test_the_shipped_words_read_real_blind_answers():
    words = load_answer_words()
    scope = ["everywhere", "wlan_only", "unknown"]
    assert words.choose("internet_dropouts", "scope", scope, "pc am kabel auch") == "everywhere"
    slow = scope + ["wlan_no_cable"]
    no_cable = "einen pc mit kabel hab ich nicht, wir haben nur wlan"
    assert words.choose("internet_slow", "scope", slow, no_cable) == "wlan_no_cable"
    assert words.choose("internet_slow", "scope", slow, "weiß ich nicht") == "unknown"


def test_a_negation_does_not_reach_across_punctuation():
    words = parse({"nodes": {"tv_problem.internet_works": {"works": ["internet geht"]}}})
    ids = ["works", "down"]
    assert words.choose("tv_problem", "internet_works", ids, "Fernsehen geht nicht, Internet geht") == "works"
    assert words.choose("tv_problem", "internet_works", ids, "Fernsehen und Internet geht nicht") is None


def test_a_negation_at_the_end_of_the_clause_negates_it():
    from bot.dialogue.answer_words import compile_entry, score_text
    from bot.nlu.domain_vocabulary import clause_words

    works = [compile_entry("internet geht")]
    # German puts "nicht (mehr)" after the adverbials: for statements of a first message.
    assert score_text(works, clause_words("Mein Internet geht seit heute früh nicht mehr"), final_negation=True) == 0
    assert score_text(works, clause_words("internet geht seit gestern abend leider gar nicht mehr"), True) == 0
    # Not across "aber" or into another clause, and not for a plain statement.
    assert score_text(works, clause_words("das internet geht, aber das telefon nicht"), True) > 0
    assert score_text(works, clause_words("internet geht jetzt wieder"), True) > 0
    # Answer words keep their reach: here the "nicht" is the symptom, not a denial of "daneben".
    near = [compile_entry("auch direkt daneben")]
    assert score_text(near, clause_words("auch direkt daneben wird das netz nicht angezeigt")) > 0
