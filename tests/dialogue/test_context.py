"""A message read in the context of the form slot the bot asks for."""

from bot.dialogue.answer_words import load_answer_words
from bot.dialogue.context import problem_texts, reread_for_form, reread_for_queued_topic, reread_while_paused


def _parsed(text, intent="nlu_fallback"):
    return {"text": text, "intent": {"name": intent, "confidence": 0.4}}


def test_no_number_at_hand_while_the_number_is_asked_for_is_dont_know():
    words = load_answer_words()
    result = reread_for_form(_parsed("habe ich gerade nicht zur hand"), "customer_number", words)
    assert result["intent"] == {"name": "dont_know", "confidence": 1.0}
    assert result["reread_from"]["name"] == "nlu_fallback"


def test_other_slots_digits_and_clear_intents_stay_as_nlu_read_them():
    words = load_answer_words()
    assert reread_for_form(_parsed("hab ich nicht"), None, words)["intent"]["name"] == "nlu_fallback"
    assert reread_for_form(_parsed("hab ich nicht, 4711000001"), "customer_number", words)["intent"]["name"] == (
        "nlu_fallback"
    )
    assert reread_for_form(_parsed("nein", "deny"), "postal_code", words)["intent"]["name"] == "deny"
    assert reread_for_form(_parsed("moment ich suche"), "customer_number", words)["intent"]["name"] == "nlu_fallback"


def test_a_leading_yes_while_a_report_is_offered_is_consent():
    from bot.dialogue.context import reread_for_offer

    offered = {"ticket_offer": True, "diagnosis_active": False}
    parse_data = {"text": "Ja bitte melden, anrufen nur aufs Handy", "intent": {"name": "request_human"}}
    assert reread_for_offer(parse_data, offered, None)["intent"] == {"name": "affirm", "confidence": 1.0}
    # no offer open, a form asking, or no leading yes: as NLU read it
    assert reread_for_offer(parse_data, {}, None)["intent"]["name"] == "request_human"
    assert reread_for_offer(parse_data, offered, "contact_form")["intent"]["name"] == "request_human"
    no = {"text": "nein, lieber einen Rückruf", "intent": {"name": "request_human"}}
    assert reread_for_offer(no, offered, None)["intent"]["name"] == "request_human"


def test_at_the_callback_offer_a_number_is_a_yes_and_no_callback_is_a_no():
    from bot.dialogue.context import reread_for_callback

    titles = ["Ja, bitte zurückrufen", "Nein, danke"]
    number = {"text": "0170 7654321, aber erst nachmittags", "intent": {"name": "inform"}}
    assert reread_for_callback(number, titles, "Ja, bitte zurückrufen")["intent"]["name"] == "affirm"
    refused = {"text": "nee warte, kein rückruf", "intent": {"name": "request_human"}}
    assert reread_for_callback(refused, titles, "Ja, bitte zurückrufen")["intent"]["name"] == "deny"
    # while the number is asked for, too; elsewhere as NLU read it
    asking = reread_for_callback(refused, [], "Ja, bitte zurückrufen", asking_for_callback=True)
    assert asking["intent"]["name"] == "deny"
    assert reread_for_callback(refused, [], "Ja, bitte zurückrufen")["intent"]["name"] == "request_human"
    assert reread_for_callback(number, [], "Ja, bitte zurückrufen")["intent"]["name"] == "inform"


def test_a_goodbye_with_a_no_or_thanks_is_a_goodbye():
    from bot.dialogue.context import reread_goodbye

    said = {"text": "Nein danke, das war's. Tschüss!", "intent": {"name": "deny"}}
    assert reread_goodbye(said)["intent"]["name"] == "goodbye"
    assert reread_goodbye({"text": "nein", "intent": {"name": "deny"}})["intent"]["name"] == "deny"
    problem = {"text": "tschüss internet, du bist schon wieder weg", "intent": {"name": "internet_down"}}
    assert reread_goodbye(problem)["intent"]["name"] == "internet_down"  # a problem is not a goodbye


def test_the_problem_texts_reach_back_to_the_last_diagnosis_and_skip_taps():
    events = [
        {"event": "user", "text": "Telefon geht nicht"},
        {"event": "slot", "name": "diagnosis", "value": {}},
        {"event": "user", "text": "Internet geht nicht, auch nicht am Handy"},
        {"event": "bot", "text": "Worum geht es Ihnen genau?"},
        {"event": "user", "text": "4711000001 10115"},
        {"event": "user", "text": "/internet_down"},
    ]
    assert problem_texts(events) == "Internet geht nicht, auch nicht am Handy . 4711000001 10115"
    assert problem_texts(events, limit=1) == "4711000001 10115"
    restarted = [{"event": "user", "text": "alt"}, {"event": "restart"}, {"event": "user", "text": "neu"}]
    assert problem_texts(restarted) == "neu"


def test_a_yes_to_the_queued_problem_starts_it():
    offered = ["/phone_down", "/deny"]
    yes = {"text": "ja gerne, das telefon", "intent": {"name": "phone_down", "confidence": 0.5}}
    assert reread_for_queued_topic(yes, "phone_down", offered)["intent"]["name"] == "phone_down"
    plain = {"text": "ja", "intent": {"name": "affirm", "confidence": 0.9}}
    assert reread_for_queued_topic(plain, "phone_down", offered)["intent"] == {"name": "phone_down", "confidence": 1.0}
    assert reread_for_queued_topic(plain, "phone_down", ["/affirm"])["intent"]["name"] == "affirm"  # not offered now
    no = {"text": "nein danke", "intent": {"name": "deny", "confidence": 0.9}}
    assert reread_for_queued_topic(no, "phone_down", offered)["intent"]["name"] == "deny"


def test_words_for_leaving_the_queue_are_the_button_while_paused():
    from bot.handoff.texts import LEAVE_QUEUE_INTENT, says_leave_queue

    typed = {"text": "Ich will nicht mehr warten", "intent": {"name": "wait", "confidence": 0.8}}
    assert says_leave_queue(typed["text"]) and says_leave_queue("abbrechen")
    assert says_leave_queue("Ich möchte lieber wieder mit dem Bot schreiben")
    assert not says_leave_queue("hallo? ist da jemand?")
    assert reread_while_paused(typed, True, True)["intent"]["name"] == LEAVE_QUEUE_INTENT
    assert reread_while_paused(typed, False, True)["intent"]["name"] == "wait"  # not waiting: as NLU read it


def test_a_report_number_while_the_status_form_asks_is_read_as_inform():
    from bot.dialogue.context import REREAD_KEY, reread_for_status_number

    asking = {"identify_for": "status"}
    parse = {"text": "ST-CW82B4", "intent": {"name": "ticket_status", "confidence": 0.7}}
    read = reread_for_status_number(parse, asking, "identification_form")
    assert read["intent"]["name"] == "inform" and read[REREAD_KEY]["name"] == "ticket_status"
    # Only while the status asks, and only with a report number in it.
    assert reread_for_status_number(parse, {"identify_for": "ticket"}, "identification_form") == parse
    assert reread_for_status_number(parse, asking, None) == parse
    digits = {"text": "4711000002", "intent": {"name": "inform_customer_number", "confidence": 0.9}}
    assert reread_for_status_number(digits, asking, "identification_form") == digits
