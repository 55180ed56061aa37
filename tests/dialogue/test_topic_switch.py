"""Another problem named mid-diagnosis: answer, stay or switch."""

from dataclasses import replace

from bot.dialogue.topic_switch import MidDiagnosisMessage, SwitchDecision, decide

STORY = MidDiagnosisMessage(
    same_area=False, answered=True, facts=False, yes_no=False, confidence=0.95, new_topic_words=False, words=14
)


def test_a_story_that_answers_is_an_answer_even_if_it_sounds_like_another_problem():
    assert decide(STORY) is SwitchDecision.ANSWER
    # a leading "nein" or a lamp fact answers, even with words that open a new topic
    assert decide(replace(STORY, new_topic_words=True, yes_no=True)) is SwitchDecision.ANSWER
    assert decide(replace(STORY, new_topic_words=True, facts=True)) is SwitchDecision.ANSWER


def test_new_topic_words_switch_a_story_that_also_fits_the_question():
    assert decide(replace(STORY, new_topic_words=True)) is SwitchDecision.SWITCH


def test_short_and_sure_switches_long_or_unsure_stays():
    not_an_answer = replace(STORY, answered=False)
    assert decide(replace(not_an_answer, words=6)) is SwitchDecision.SWITCH
    assert decide(not_an_answer) is SwitchDecision.STAY  # a long story
    assert decide(replace(not_an_answer, words=6, confidence=0.6)) is SwitchDecision.STAY  # a weak guess
    assert decide(replace(not_an_answer, same_area=True, words=3)) is SwitchDecision.STAY  # the same problem again


def test_another_broken_thing_named_on_the_way_is_queued_not_lost():
    from bot.dialogue.topic_switch import queues_other_problem, says_also_broken

    assert says_also_broken("nein, und das Telefon geht auch nicht")
    assert says_also_broken("der fernseher ist auch kaputt")
    assert not says_also_broken("nein, nur übers WLAN, das Handy geht ja")
    answered = replace(STORY, yes_no=True)
    assert queues_other_problem(answered, decide(answered), also_broken=True)
    assert not queues_other_problem(answered, decide(answered), also_broken=False)  # only sounds like it
    assert not queues_other_problem(replace(answered, same_area=True), SwitchDecision.ANSWER, also_broken=True)
    switched = replace(STORY, new_topic_words=True)
    assert not queues_other_problem(switched, decide(switched), also_broken=True)  # switched now instead
