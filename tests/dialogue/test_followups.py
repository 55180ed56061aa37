"""Questions around an outcome, answered from what the conversation already did."""

import yaml

from bot.dialogue.followups import (
    FOLLOWUP_INTENT,
    OutcomeContext,
    check_followups,
    context_from_slots,
    load_followups,
    parse,
    reread_as_followup,
)
from bot.paths import knowledge_dir

BOOK = load_followups()
TICKET = OutcomeContext(ticket_number="ST-4UPJPF")


def test_the_shipped_file_is_valid_and_every_topic_answers_in_any_situation():
    raw = yaml.safe_load((knowledge_dir() / "followups.yml").read_text(encoding="utf-8"))
    assert check_followups(raw) == []
    for topic in BOOK.topics:
        assert BOOK.answer(topic.name, OutcomeContext())  # "any" always holds


def test_the_answer_depends_on_what_was_done():
    assert "ST-4UPJPF" in BOOK.answer("repair_time", TICKET) and "24 Stunden" in BOOK.answer("repair_time", TICKET)
    assert "nicht zu Hause sein" in BOOK.answer("at_home", TICKET)
    outage = OutcomeContext(line_verdict="area_outage")
    assert "Gegend" in BOOK.answer("at_home", outage)
    booked = OutcomeContext(callback_phone="+491701234567")
    assert "angemeldet" in BOOK.answer("callback_booked", booked) and "567" in BOOK.answer("callback_booked", booked)
    # nothing booked: said so, honestly, also when a ticket exists
    assert "nicht angemeldet" in BOOK.answer("callback_booked", OutcomeContext())
    assert "nicht angemeldet" in BOOK.answer("callback_booked", TICKET)
    assert "Mo–Fr" in BOOK.answer("callback_when", booked)  # the service hours from service.yml


def test_a_yes_read_in_context_is_not_turned_into_a_question():
    from bot.dialogue.context import reread_for_offer

    slots = {"ticket_offer": True, "diagnosis": {"area": "internet_slow"}, "diagnosis_active": False}
    parse = {"text": "Ja bitte. Kostet mich das was?", "intent": {"name": "outcome_question", "confidence": 0.8}}
    read = reread_as_followup(reread_for_offer(parse, slots, None), slots, None, BOOK)
    assert read["intent"]["name"] == "affirm"
    already = {"text": "Ja bitte. Kostet mich das was?", "intent": {"name": "affirm", "confidence": 0.66}}
    assert reread_as_followup(already, slots, None, BOOK)["intent"]["name"] == "affirm"  # NLU read the yes


def test_a_missed_call_is_no_drama_and_the_report_stays_open():
    text = "und wenn der techniker anruft und ich geh nicht ran?"
    assert BOOK.topic_of(text) == "missed_call"
    assert "ST-4UPJPF" in BOOK.answer("missed_call", TICKET) and "noch einmal" in BOOK.answer("missed_call", TICKET)
    slots = {"ticket_number": "ST-4UPJPF", "diagnosis": {"area": "internet_down"}, "diagnosis_active": False}
    # NLU hears the telephone in "anruft"; it is a question about the report
    read = reread_as_followup({"text": text, "intent": {"name": "phone_down", "confidence": 0.9}}, slots, None, BOOK)
    assert read["intent"]["name"] == FOLLOWUP_INTENT


def test_a_how_to_question_after_a_fix_is_answered_even_after_noch_was():
    slots = {"diagnosis": {"area": "phone_down"}, "diagnosis_active": False}
    text = "ja noch was, ich hab noch ein zweites telefon, wo kommt das hin?"
    read = reread_as_followup({"text": text, "intent": {"name": "phone_down", "confidence": 0.9}}, slots, None, BOOK)
    assert read["intent"]["name"] == FOLLOWUP_INTENT and "Fon 2" in BOOK.answer("second_phone", OutcomeContext())
    broken = "ach, das zweite telefon geht auch nicht"  # a fault: a new diagnosis
    read = reread_as_followup({"text": broken, "intent": {"name": "phone_down", "confidence": 0.9}}, slots, None, BOOK)
    assert read["intent"]["name"] == "phone_down"


def test_two_questions_in_one_message_get_two_answers():
    solved = OutcomeContext(outcome="resolved")
    text = "woran lag das denn? und was mach ich, wenn das morgen wieder passiert?"
    assert BOOK.topics_to_answer(text, solved) == ["still_not_working", "cause"]
    assert BOOK.topics_to_answer("und die gelben LAN buchsen?", OutcomeContext()) == ["lan_sockets"]
    assert BOOK.topics_to_answer("Habe ich meine alte Nummer noch?", TICKET) == ["open_question"]
    assert "halbem Weg" in BOOK.answer("repeater_place", OutcomeContext())


def test_topics_from_the_customers_words():
    assert BOOK.topic_of("und wie lange dauert das jetzt?") == "repair_time"
    assert BOOK.topic_of("muss ich da zu hause sein") == "at_home"
    assert BOOK.topic_of("kostet mich das was?") == "cost"
    assert BOOK.topic_of("gibt es dafür eine gutschrift?") == "compensation"
    assert BOOK.topic_of("wann ruft mich denn einer an") == "callback_when"
    assert BOOK.topic_of("mein telefon geht nicht") is None
    assert BOOK.topic_of("") is None


def test_read_as_a_followup_only_after_an_outcome_and_with_no_question_open():
    parse_data = {"text": "wie lange dauert das?", "intent": {"name": "ticket_status", "confidence": 0.7}}
    after_ticket = {"ticket_number": "ST-4UPJPF", "diagnosis": {"area": "x"}, "diagnosis_active": False}
    read = reread_as_followup(parse_data, after_ticket, None, BOOK)
    assert read["intent"] == {"name": FOLLOWUP_INTENT, "confidence": 1.0}
    assert read["reread_from"]["name"] == "ticket_status"
    # before any outcome, during a diagnosis question, or in a form: as NLU read it
    assert reread_as_followup(parse_data, {}, None, BOOK)["intent"]["name"] == "ticket_status"
    during = {**after_ticket, "diagnosis_active": True}
    assert reread_as_followup(parse_data, during, None, BOOK)["intent"]["name"] == "ticket_status"
    assert reread_as_followup(parse_data, after_ticket, "contact_form", BOOK)["intent"]["name"] == "ticket_status"
    # a new problem or a wish for a person is not a question about the outcome
    new = {"text": "ach und das Telefon geht auch nicht, wie lange dauert das", "intent": {"name": "phone_down"}}
    assert reread_as_followup(new, after_ticket, None, BOOK)["intent"]["name"] == "phone_down"
    human = {"text": "wie lange dauert das, ich will einen menschen", "intent": {"name": "request_human"}}
    assert reread_as_followup(human, after_ticket, None, BOOK)["intent"]["name"] == "request_human"


def test_a_topic_for_one_situation_only_is_a_followup_only_there():
    outage = {"diagnosis": {"steps": [{"kind": "line_check", "details": {"verdict": "area_outage"}}]},
              "diagnosis_active": False}
    plain = {"diagnosis": {"steps": []}, "diagnosis_active": False}
    question = {"text": "Und Telefon und Fernsehen?", "intent": {"name": "tv_problem"}}
    assert reread_as_followup(question, outage, None, BOOK)["intent"]["name"] == FOLLOWUP_INTENT
    assert reread_as_followup(question, plain, None, BOOK)["intent"]["name"] == "tv_problem"  # a new problem
    assert "auch Ihr Telefon" in BOOK.answer("other_services", context_from_slots(outage))


def test_context_from_slots():
    context = context_from_slots({"ticket_offer": True, "callback_booked": "+491701234567"}, outcome="ticket")
    assert context.holds("offer") and context.holds("callback") and not context.holds("ticket")
    assert context.has_outcome


def test_the_check_names_what_is_wrong():
    answers = {"ticket": "Nr {ticket_number} {foo}", "offer": "{ticket_number}"}
    bad = {"topics": {"x": {"words": ["t*"], "answers": answers}}}
    problems = "\n".join(check_followups(bad))
    fine_open = {"answers": {"any": "Gut."}}
    assert check_followups({"topics": {"y": {"words": ["a"], "answers": {}}}, "open_question": fine_open})
    assert "unknown placeholder {foo}" in problems
    assert "{ticket_number} only where a ticket exists" in problems
    assert check_followups({"topics": {}})
    without_open = check_followups({"topics": {"y": {"words": ["a"], "answers": {"any": "Gut."}}}})
    assert "'open_question' needs answers" in "\n".join(without_open)
    assert parse({"topics": {"x": {"words": ["a b"], "answers": {"any": "Gut."}}}}).topic_of("a b") == "x"


def test_another_question_after_an_outcome_gets_an_honest_answer_not_a_new_diagnosis():
    after = {"diagnosis": {"area": "router_setup"}, "diagnosis_active": False}
    for text in ("Habe ich denn jetzt noch meine alte Telefonnummer?", "Muss ich das im Thunderbird auch ändern?"):
        read = reread_as_followup({"text": text, "intent": {"name": "phone_down"}}, after, None, BOOK)
        assert read["intent"]["name"] == FOLLOWUP_INTENT, text
    assert "keine sichere Antwort" in BOOK.answer("open_question", OutcomeContext())
    # a fault, said as a question or not, is a new problem
    for text in ("Das WLAN bricht ständig ab?", "mein telefon geht nicht"):
        read = reread_as_followup({"text": text, "intent": {"name": "wifi_problem"}}, after, None, BOOK)
        assert read["intent"]["name"] == "wifi_problem", text
