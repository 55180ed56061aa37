"""Unit tests for bot.nlu.numbers: customer numbers, postal codes and phone numbers in chat text."""

from __future__ import annotations

import pytest

from bot.nlu.numbers import (
    CUSTOMER_NUMBER,
    PHONE_NUMBER,
    POSTAL_CODE,
    NumberEntity,
    find_numbers,
    mask_personal_numbers,
)


def found(text: str) -> list[tuple[str, str, str]]:
    """(entity, text as written, normalised value) for every number in text."""
    return [(e.entity, e.text, e.value) for e in find_numbers(text)]


# --- customer numbers


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("4711000002", "4711000002"),
        ("4711 000 002", "4711 000 002"),
        ("4711-000-002", "4711-000-002"),
        ("4711/000/002", "4711/000/002"),
        ("4711 - 000 - 002", "4711 - 000 - 002"),
        ("4711  000  002", "4711  000  002"),
        ("47 11 00 00 02", "47 11 00 00 02"),
        ("meine kundennummer ist 4711000002", "4711000002"),
        ("Meine Kundennummer: 4711 000 002, danke", "4711 000 002"),
        ("kundennr: 4711-000-002", "4711-000-002"),
        ("kdnr:4711000002", "4711000002"),
        ("(4711000002)", "4711000002"),
        ("Meine Kundennummer lautet 4711000002.", "4711000002"),
        ("kunden nummer 4711 000 002 glaube ich", "4711 000 002"),
        ("steht hier 4711 000 002 auf dem brief", "4711 000 002"),
    ],
)
def test_customer_number(text, written):
    assert found(text) == [(CUSTOMER_NUMBER, written, "4711000002")]


def test_customer_number_in_unusual_grouping():
    assert found("4711 83 20 19") == [(CUSTOMER_NUMBER, "4711 83 20 19", "4711832019")]


@pytest.mark.parametrize(
    "text",
    [
        "123456789",  # nine digits
        "12345678901",  # eleven digits
        "4711 000 00",  # nine digits in groups
        "4711.000.002",  # dots do not join groups
        "kdnr4711000002",  # glued to letters
    ],
)
def test_not_a_customer_number(text):
    assert all(e.entity != CUSTOMER_NUMBER for e in find_numbers(text))


# --- postal codes


@pytest.mark.parametrize(
    ("text", "plz"),
    [
        ("50667", "50667"),
        ("01067", "01067"),
        ("plz 01067", "01067"),
        ("PLZ:01067", "01067"),
        ("D-01067", "01067"),
        ("PLZ 01067 dresden", "01067"),
        ("postleitzahl ist 04109", "04109"),
        ("wir wohnen in 01307 dresden", "01307"),
        ("08056 zwickau", "08056"),
        ("Postleitzahl 06108", "06108"),
        ("22765 hamburg", "22765"),
        ("gibt es gerade eine störung in 51063?", "51063"),
        ("Ist Ihnen eine Störung im Raum 80331 München bekannt?", "80331"),
        ("stoerung in 33602???", "33602"),
        ("plz 76133, ist da was bekannt?", "76133"),
    ],
)
def test_postal_code(text, plz):
    assert found(text) == [(POSTAL_CODE, plz, plz)]


def test_two_postal_codes_starting_with_zero():
    assert found("01067 01069") == [(POSTAL_CODE, "01067", "01067"), (POSTAL_CODE, "01069", "01069")]


@pytest.mark.parametrize("text", ["1234", "123456", "0123", "plz 5066"])
def test_not_a_postal_code(text):
    assert all(e.entity != POSTAL_CODE for e in find_numbers(text))


# --- phone numbers


@pytest.mark.parametrize(
    ("text", "written", "value"),
    [
        ("0221 1234567", "0221 1234567", "+492211234567"),
        ("0221/1234567", "0221/1234567", "+492211234567"),
        ("0221-1234567", "0221-1234567", "+492211234567"),
        ("0221 / 1234567", "0221 / 1234567", "+492211234567"),
        ("0221 123 4567", "0221 123 4567", "+492211234567"),
        ("0221 12 34 567", "0221 12 34 567", "+492211234567"),
        ("0170-123 45 67", "0170-123 45 67", "+491701234567"),
        ("0170 / 123 45 67", "0170 / 123 45 67", "+491701234567"),
        ("030/12345678", "030/12345678", "+493012345678"),
        ("030 123 456 78", "030 123 456 78", "+493012345678"),
        ("069 12345678", "069 12345678", "+496912345678"),
        ("0228 123456", "0228 123456", "+49228123456"),
        ("06221 445566", "06221 445566", "+496221445566"),
        ("03581 123456", "03581 123456", "+493581123456"),
        ("0151 44332211", "0151 44332211", "+4915144332211"),
        ("0176 98765432", "0176 98765432", "+4917698765432"),
        ("01701234567", "01701234567", "+491701234567"),
        ("+49 170 1234567", "+49 170 1234567", "+491701234567"),
        ("+49-170-1234567", "+49-170-1234567", "+491701234567"),
        ("+491701234567", "+491701234567", "+491701234567"),
        ("+49 (0)170 1234567", "+49 (0)170 1234567", "+491701234567"),
        ("+49 (0) 170 1234567", "+49 (0) 170 1234567", "+491701234567"),
        ("+49 (0)170 123 45 67", "+49 (0)170 123 45 67", "+491701234567"),
        ("+49 (0)221 / 1234567", "+49 (0)221 / 1234567", "+492211234567"),
        ("+49 1523 9988776", "+49 1523 9988776", "+4915239988776"),
        ("0049 221 1234567", "0049 221 1234567", "+492211234567"),
        ("00491701234567", "00491701234567", "+491701234567"),
        ("0049 (0)221 1234567", "0049 (0)221 1234567", "+492211234567"),
        ("+43 1 5344411", "+43 1 5344411", "+4315344411"),  # Vienna
    ],
)
def test_phone_number(text, written, value):
    assert found(text) == [(PHONE_NUMBER, written, value)]


@pytest.mark.parametrize(
    ("text", "written", "value"),
    [
        ("meine nummer 0421 3456789 ist seit gestern nicht erreichbar", "0421 3456789", "+494213456789"),
        ("Sie erreichen mich unter 0711 2345678.", "0711 2345678", "+497112345678"),
        ("rückruf bitte, 0151 44332211, am besten nach 17 uhr", "0151 44332211", "+4915144332211"),
        (
            "Rufen Sie mich bitte unter +49 151 23456789 zurück, ich bin ab 14 Uhr erreichbar.",
            "+49 151 23456789",
            "+4915123456789",
        ),
        ("festnetz 030/44556677", "030/44556677", "+493044556677"),
        ("tel 06221 445566", "06221 445566", "+496221445566"),
        ("rufnummer 040-3344556", "040-3344556", "+49403344556"),
        ("Telefonnummer: 069 12345678", "069 12345678", "+496912345678"),
    ],
)
def test_phone_number_in_sentence(text, written, value):
    assert found(text) == [(PHONE_NUMBER, written, value)]


def test_bracketed_area_code_keeps_the_value():
    (entity,) = find_numbers("(0221) 1234567")
    assert entity.entity == PHONE_NUMBER
    assert entity.value == "+492211234567"


@pytest.mark.parametrize("text", ["0221 12", "012345", "+49 170", "0049 12"])
def test_too_short_for_a_phone_number(text):
    assert all(e.entity != PHONE_NUMBER for e in find_numbers(text))


def test_five_digit_area_code_with_slash_is_a_phone_number():
    assert found("04621/12345") == [(PHONE_NUMBER, "04621/12345", "+49462112345")]


# --- several numbers in one message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "meine kundennummer ist 4711000002 und die plz 50667",
            [(CUSTOMER_NUMBER, "4711000002", "4711000002"), (POSTAL_CODE, "50667", "50667")],
        ),
        (
            "kundennummer 4711000002 plz 01067",
            [(CUSTOMER_NUMBER, "4711000002", "4711000002"), (POSTAL_CODE, "01067", "01067")],
        ),
        (
            "4711 000 002 50667",
            [(CUSTOMER_NUMBER, "4711 000 002", "4711000002"), (POSTAL_CODE, "50667", "50667")],
        ),
        (
            "4711000002 01067",
            [(CUSTOMER_NUMBER, "4711000002", "4711000002"), (POSTAL_CODE, "01067", "01067")],
        ),
        (
            "01067 4711000002",
            [(POSTAL_CODE, "01067", "01067"), (CUSTOMER_NUMBER, "4711000002", "4711000002")],
        ),
        (
            "50667 4711 000 002",
            [(POSTAL_CODE, "50667", "50667"), (CUSTOMER_NUMBER, "4711 000 002", "4711000002")],
        ),
        (
            "4711000002,50667",
            [(CUSTOMER_NUMBER, "4711000002", "4711000002"), (POSTAL_CODE, "50667", "50667")],
        ),
        (
            "4711 001 553, 01069",
            [(CUSTOMER_NUMBER, "4711 001 553", "4711001553"), (POSTAL_CODE, "01069", "01069")],
        ),
        (
            "plz 04229 kdnr 4711003375",
            [(POSTAL_CODE, "04229", "04229"), (CUSTOMER_NUMBER, "4711003375", "4711003375")],
        ),
        (
            "Kundennummer: 4711 004 876, PLZ: 28195",
            [(CUSTOMER_NUMBER, "4711 004 876", "4711004876"), (POSTAL_CODE, "28195", "28195")],
        ),
        (
            "kundennummer ist 4711 000 172 und festnetz 0341 7788990",
            [
                (CUSTOMER_NUMBER, "4711 000 172", "4711000172"),
                (PHONE_NUMBER, "0341 7788990", "+493417788990"),
            ],
        ),
        (
            "0221 1234567 4711000002",
            [(PHONE_NUMBER, "0221 1234567", "+492211234567"), (CUSTOMER_NUMBER, "4711000002", "4711000002")],
        ),
        (
            "+49 221 1234567 4711000002",
            [
                (PHONE_NUMBER, "+49 221 1234567", "+492211234567"),
                (CUSTOMER_NUMBER, "4711000002", "4711000002"),
            ],
        ),
        (
            "0221 1234567 und 0170 7654321",
            [
                (PHONE_NUMBER, "0221 1234567", "+492211234567"),
                (PHONE_NUMBER, "0170 7654321", "+491707654321"),
            ],
        ),
        (
            "50667 0221 1234567",
            [(POSTAL_CODE, "50667", "50667"), (PHONE_NUMBER, "0221 1234567", "+492211234567")],
        ),
        (
            "01067 dresden, tel 0351 1234567",
            [(POSTAL_CODE, "01067", "01067"), (PHONE_NUMBER, "0351 1234567", "+493511234567")],
        ),
        (
            "0351 1234567 01067",
            [(PHONE_NUMBER, "0351 1234567", "+493511234567"), (POSTAL_CODE, "01067", "01067")],
        ),
    ],
)
def test_several_numbers(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "phone", "value"),
    [
        ("01067 0351 1234567", "0351 1234567", "+493511234567"),
        ("01067 030 12345678", "030 12345678", "+493012345678"),
        ("01067 0170 1234567", "0170 1234567", "+491701234567"),
    ],
)
def test_postal_code_with_leading_zero_followed_by_phone_number(text, phone, value):
    assert found(text) == [(POSTAL_CODE, "01067", "01067"), (PHONE_NUMBER, phone, value)]


# --- things that are not personal numbers


@pytest.mark.parametrize(
    "text",
    [
        "Fritzbox 7590",
        "fritzbox 7530",
        "FRITZ!Box 7590",
        "ist ne fritzbox 7590 ax",
        "Speedport Smart 3",
        "Speedport W 724V",
        "o2 HomeBox 6641",
        "Vodafone Station",
        "1&1",
        "ticket ST-7K4-29P",
        "mein ticket ist ST-7K4-29P, was ist damit",
        "am 12.03.2024 um 14:30 uhr",
        "seit 24.12. um 18 uhr",
        "12.03.2024",
        "2024-03-12",
        "14:30",
        "seit 2024",
        "ich habe 100 mbit gebucht aber nur 16",
        "speedtest 23,5 mbit",
        "fehlercode 0x8007",
        "2 stunden",
        "ping 8.8.8.8",
        "192.168.178.1",
    ],
)
def test_no_personal_number(text):
    assert find_numbers(text) == []


@pytest.mark.parametrize("text", ["", "hallo", "internet geht nicht", "👍"])
def test_text_without_numbers(text):
    assert find_numbers(text) == []


def test_router_model_next_to_customer_number():
    text = "fritzbox 7590, kundennummer 4711 000 002"
    assert found(text) == [(CUSTOMER_NUMBER, "4711 000 002", "4711000002")]


def test_ticket_number_next_to_phone_number():
    text = "ticket ST-7K4-29P, rückruf unter 0221 1234567"
    assert found(text) == [(PHONE_NUMBER, "0221 1234567", "+492211234567")]


# --- entity offsets


@pytest.mark.parametrize(
    "text",
    [
        "meine kundennummer ist 4711 000 002 und die plz 01067",
        "Rufen Sie mich unter +49 (0)170 123 45 67 an, PLZ 50667",
        "Kundennummer 4711-000-002, Festnetz 0221/1234567",
    ],
)
def test_offsets_point_at_the_written_text(text):
    entities = find_numbers(text)
    assert entities
    for entity in entities:
        assert isinstance(entity, NumberEntity)
        assert text[entity.start : entity.end] == entity.text
        assert entity.text[0].isdigit() or entity.text[0] == "+"
        assert entity.text[-1].isdigit()
    starts = [e.start for e in entities]
    assert starts == sorted(starts)
    for left, right in zip(entities, entities[1:], strict=False):
        assert left.end <= right.start


def test_offsets_inside_a_sentence():
    text = "meine kundennummer ist 4711000002 und die plz 50667"
    customer, postal = find_numbers(text)
    assert (customer.start, customer.end) == (23, 33)
    assert (postal.start, postal.end) == (46, 51)


# --- masking for logs


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("4711000002", "********02"),
        ("4711 000 002", "********02"),
        ("4711-000-002", "********02"),
        ("kdnr4711000002", "kdnr********02"),
        ("01067", "***67"),
        ("PLZ:01067", "PLZ:***67"),
        ("0221 1234567", "*********67"),
        ("0221/1234567", "*********67"),
        ("0170-123 45 67", "*********67"),
        ("+49 170 1234567", "**********67"),
        ("0049 221 1234567", "************67"),
        ("max.mustermann@example.de", "<e-mail>"),
        ("Jürgen.Müller@t-online.de", "<e-mail>"),
        ("kunde4711000002@web.de", "<e-mail>"),
        ("mail an info+stoerung@mail.example.com bitte", "mail an <e-mail> bitte"),
    ],
)
def test_mask_personal_numbers(text, masked):
    assert mask_personal_numbers(text) == masked


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("meine kundennummer ist 4711000002 und die plz 50667", ["4711000002", "50667"]),
        ("plz 01067, tel 0221 1234567", ["01067", "1234567", "0221 1234567"]),
        ("+49 (0)170 1234567", ["1234567", "170 1234567"]),
        ("0221 / 1234567", ["1234567"]),
        ("(0221) 1234567", ["1234567"]),
        ("0170 / 123 45 67", ["123 45 67"]),
        ("Kundennummer 4711 000 002, Mail max@example.de", ["4711 000 002", "000 002", "max@example.de"]),
    ],
)
def test_masked_text_contains_no_personal_data(text, secrets):
    masked = mask_personal_numbers(text)
    for secret in secrets:
        assert secret not in masked


@pytest.mark.parametrize(
    "text",
    [
        "Fritzbox 7590",
        "Speedport Smart 3",
        "ticket ST-7K4-29P",
        "am 12.03.2024 um 14:30",
        "100 mbit statt 250",
        "Fehler 0x8007",
        "hallo",
        "",
    ],
)
def test_mask_keeps_harmless_text(text):
    assert mask_personal_numbers(text) == text


def test_mask_none_passes_through():
    assert mask_personal_numbers(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["4711  000  002", "4711 - 000 - 002", "4711 / 000 / 002"])
def test_mask_customer_number_with_wide_separators(text):
    # find_numbers recognises these as a customer number, so the log mask must hide them too.
    assert [e.entity for e in find_numbers(text)] == [CUSTOMER_NUMBER]
    masked = mask_personal_numbers(text)
    assert "4711" not in masked
    assert "000" not in masked
