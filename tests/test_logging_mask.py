"""Unit tests for bot.logging_mask: no personal data in any log line."""

from __future__ import annotations

import io
import logging
import uuid

import pytest

from bot.logging_mask import PersonalDataFilter, install

SECRETS = [
    "4711000002",
    "4711 000 002",
    "4711-000-002",
    "000 002",
    "1234567",
    "123 45 67",
    "0221 1234567",
    "170 1234567",
    "50667",
    "01067",
    "max.mustermann@example.de",
    "mustermann",
]


def assert_clean(output: str) -> None:
    for secret in SECRETS:
        assert secret not in output, f"{secret!r} leaked into the log: {output!r}"


@pytest.fixture
def log():
    """A real logger whose handler writes to a StringIO, with the filter installed."""
    stream = io.StringIO()
    # A unique name without digits: a random hex name once held "000", a secret the tests look for.
    letters = uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))
    logger = logging.getLogger(f"test.logging_mask.{letters}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s - %(message)s"))
    logger.addHandler(handler)
    install(logger)
    yield logger, stream
    logger.removeHandler(handler)
    handler.close()


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("Kundennummer 4711000002", "Kundennummer ********02"),
        ("Kundennummer 4711 000 002", "Kundennummer ********02"),
        ("Kundennummer 4711-000-002", "Kundennummer ********02"),
        ("PLZ 50667", "PLZ ***67"),
        ("PLZ 01067", "PLZ ***67"),
        ("Rückruf 0221 1234567", "Rückruf *********67"),
        ("Rückruf 0221/1234567", "Rückruf *********67"),
        ("Rückruf 0170-123 45 67", "Rückruf *********67"),
        ("Rückruf +49 170 1234567", "Rückruf **********67"),
        ("Rückruf 0049 221 1234567", "Rückruf ************67"),
        ("Mail max.mustermann@example.de", "Mail <e-mail>"),
    ],
)
def test_literal_message_is_masked(log, message, masked):
    logger, stream = log
    logger.info(message)
    assert stream.getvalue() == f"INFO {logger.name} - {masked}\n"


@pytest.mark.parametrize(
    "text",
    [
        "meine kundennummer ist 4711000002 und die plz 50667",
        "kundennummer 4711 000 002, plz 01067",
        "4711-000-002",
        "rückruf bitte unter 0221 1234567",
        "0221/1234567",
        "0170-123 45 67",
        "+49 (0)170 1234567",
        "+49 170 1234567",
        "0049 221 1234567",
        "schreiben Sie an max.mustermann@example.de",
    ],
)
@pytest.mark.parametrize(
    "level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]
)
def test_percent_args_are_masked_at_every_level(log, text, level):
    logger, stream = log
    logger.log(level, "Received user message '%s' with intent %s", text, "inform")
    output = stream.getvalue()
    assert "with intent inform" in output
    assert_clean(output)


def test_several_args(log):
    logger, stream = log
    logger.info(
        "kunde=%s plz=%s tel=%s mail=%s", "4711000002", "01067", "0221 1234567", "max.mustermann@example.de"
    )
    assert (
        stream.getvalue()
        == f"INFO {logger.name} - kunde=********02 plz=***67 tel=*********67 mail=<e-mail>\n"
    )


def test_int_arg_is_masked(log):
    logger, stream = log
    logger.info("kunde %d", 4711000002)
    assert stream.getvalue().endswith("kunde ********02\n")


def test_mapping_arg_is_masked(log):
    logger, stream = log
    logger.info(
        "slots: %(customer_number)s %(postal_code)s",
        {"customer_number": "4711 000 002", "postal_code": "50667"},
    )
    output = stream.getvalue()
    assert " - slots: *" in output
    assert_clean(output)


def test_tracker_dump_is_masked(log):
    # Rasa logs whole trackers and parse results at DEBUG.
    logger, stream = log
    tracker = {
        "latest_message": {
            "text": "meine kundennummer ist 4711000002 und die plz 50667",
            "entities": [{"entity": "phone_number", "value": "+492211234567", "text": "0221 1234567"}],
        },
        "slots": {"customer_number": "4711-000-002", "email": "max.mustermann@example.de"},
    }
    logger.debug("Current tracker state %s", tracker)
    output = stream.getvalue()
    assert "Current tracker state" in output
    assert "phone_number" in output
    assert_clean(output)
    assert "492211234567" not in output


def test_non_string_message_is_masked(log):
    logger, stream = log
    logger.info(4711000002)
    logger.info({"plz": "01067"})
    output = stream.getvalue()
    assert "********02" in output
    assert_clean(output)


def test_broken_format_string_keeps_the_line(log):
    logger, stream = log
    logger.error("kunde %s und %s", "4711000002")  # one argument too few
    output = stream.getvalue()
    assert output.startswith(f"ERROR {logger.name} - kunde")
    assert "--- Logging error ---" not in output
    assert_clean(output)


def test_broken_format_string_with_personal_data_in_msg(log):
    logger, stream = log
    logger.error("kunde 4711000002 %d", "kein int")
    output = stream.getvalue()
    assert output == f"ERROR {logger.name} - kunde ********02 %d\n"


def test_harmless_lines_are_unchanged(log):
    logger, stream = log
    logger.info("Fritzbox %s, Speedport Smart %d, ticket %s", "7590", 3, "ST-7K4-29P")
    logger.info("am %s um %s", "12.03.2024", "14:30")
    logger.info("%d%% erledigt", 100)
    assert stream.getvalue().splitlines() == [
        f"INFO {logger.name} - Fritzbox 7590, Speedport Smart 3, ticket ST-7K4-29P",
        f"INFO {logger.name} - am 12.03.2024 um 14:30",
        f"INFO {logger.name} - 100% erledigt",
    ]


def test_record_is_rewritten_once_for_all_handlers(log):
    # After the filter the record carries the masked text and no args, so a second handler
    # (or the root logger's handler) cannot format the original values again.
    logger, stream = log
    second = io.StringIO()
    handler = logging.StreamHandler(second)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    try:
        logger.warning("kunde %s", "4711000002")
    finally:
        logger.removeHandler(handler)
    assert second.getvalue() == "kunde ********02\n"
    assert_clean(stream.getvalue() + second.getvalue())


def test_filter_directly():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "plz %s tel %s", ("01067", "0221 1234567"), None
    )
    assert PersonalDataFilter().filter(record) is True
    assert record.msg == "plz ***67 tel *********67"
    assert record.args is None
    assert record.getMessage() == "plz ***67 tel *********67"


def test_filter_leaves_clean_record_alone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Fritzbox 7590", None, None)
    assert PersonalDataFilter().filter(record) is True
    assert record.msg == "Fritzbox 7590"


def test_install_on_root_logger_by_default():
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        install()
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters)
    finally:
        root.removeHandler(handler)


def test_install_is_idempotent(log):
    logger, _ = log
    install(logger)
    install(logger)
    (handler,) = logger.handlers
    assert sum(isinstance(f, PersonalDataFilter) for f in handler.filters) == 1


def test_install_covers_every_handler():
    logger = logging.getLogger(f"test.logging_mask.{uuid.uuid4().hex}")
    logger.propagate = False
    streams = [io.StringIO(), io.StringIO()]
    handlers = [logging.StreamHandler(s) for s in streams]
    for handler in handlers:
        logger.addHandler(handler)
    try:
        install(logger)
        logger.warning("tel %s", "+49 170 1234567")
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
    for stream in streams:
        assert stream.getvalue() == "tel **********67\n"


def test_handler_without_filter_is_not_masked():
    # Guard for the test set-up: without install(), the raw values would be written.
    stream = io.StringIO()
    logger = logging.getLogger(f"test.logging_mask.{uuid.uuid4().hex}")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("kunde %s", "4711000002")
    finally:
        logger.removeHandler(handler)
    assert "4711000002" in stream.getvalue()


def test_exception_text_is_masked(log):
    logger, stream = log
    try:
        raise ValueError("Ungültige Kundennummer 4711000002 für PLZ 01067")
    except ValueError:
        logger.exception("Fehler bei der Verarbeitung")
    output = stream.getvalue()
    assert "Fehler bei der Verarbeitung" in output
    assert "ValueError" in output
    assert_clean(output)


@pytest.mark.parametrize("text", ["4711  000  002", "4711 - 000 - 002"])
def test_customer_number_with_wide_separators_is_masked(log, text):
    logger, stream = log
    logger.info("Received user message '%s'", text)
    output = stream.getvalue()
    assert "4711" not in output
    assert "000" not in output


FULLWIDTH = "\uff14\uff17\uff11\uff11\uff10\uff10\uff10\uff10\uff10\uff12"  # 4711000002


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Kundennummer 4711\u00a0000\u00a0002", "000"),  # no-break spaces
        ("Kundennummer 4711\u202f000\u202f002", "000"),  # narrow no-break spaces
        ("Kundennummer " + FULLWIDTH, "\uff10\uff10\uff10"),
        ("Kundennummer " + FULLWIDTH.encode("ascii", "backslashreplace").decode(), "uff10"),  # as JSON writes it
        ("Rückruf 0171.555.6667", "555"),
        ("Rückruf 0171.5556667", "5556667"),
        ("Kundennummer 4711.000.002", "000.002"),
        ("Mail müller@straße.de", "müller"),
        ("Mail m\\u00fcller@stra\\u00dfe.de", "ller@"),  # as JSON writes it
        ("Mail m\\xfcller@web.de", "ller@"),  # as repr() writes it
        ("Mail mu\u0308ller@web.de", "ller@"),  # decomposed umlaut
        ("Mail O'Brien.Max+chat@example.co.uk", "Brien"),
    ],
)
def test_numbers_and_addresses_in_other_shapes_are_masked(text, secret):
    from bot.logging_mask import mask_text

    masked = mask_text(text)
    assert secret not in masked, masked
    assert "0171" not in masked and "4711" not in masked and "\uff14\uff17" not in masked


@pytest.mark.parametrize(
    "line",
    ["am 12.03.2024 um 14:30", "am 1.3.24", "Rasa 3.6.21", "from 127.0.0.1:5005", "took 0.25 s", "Fritzbox 7590"],
)
def test_dates_versions_and_addresses_keep_their_dots(line):
    from bot.logging_mask import mask_text

    assert mask_text(line) == line


def test_warnings_and_prints_are_masked_too(tmp_path):
    """protect_process_output() in a real child process: a Python warning, print()
    with the number in pieces, a traceback on stderr and a log line."""
    import subprocess
    import sys

    script = tmp_path / "leak.py"
    script.write_text(
        "import logging, warnings\n"
        "from bot.logging_mask import protect_process_output\n"
        "protect_process_output()\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "warnings.warn(\"Failed to parse arguments in line '/affirm{\\\"customer_number\\\": \\\"4711000002\\\"}'\")\n"
        "print('Kundennummer', '4711', '000', '002', 'Mail max.mustermann@example.de')\n"
        "print('Rückruf 0171.555.6667', end='')\n"
        "print(' und 0170 1234567')\n"
        "logging.getLogger('x').info('plz %s', '50667')\n"
        "raise ValueError('kunde 4711000002 tel 0221 1234567')\n"
    )
    from bot.paths import PROJECT_ROOT

    run = subprocess.run(
        [sys.executable, "-W", "default", str(script)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    output = run.stdout + run.stderr
    assert "Failed to parse arguments" in output and "ValueError" in output and "Kundennummer" in output
    assert_clean(output)
    for secret in ("555.6667", "1234567", "0171"):
        assert secret not in output, output


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("2026-12-01 23:08:12 INFO rasa - Kunde 4711000002", "2026-12-01 23:08:12 INFO rasa - Kunde ********02"),
        ("2026-12-01 23:08:23.354092: I tensorflow", "2026-12-01 23:08:23.354092: I tensorflow"),
        ("at 2026-12-01T23:08:12.35Z tel 0171 5556667", "at 2026-12-01T23:08:12.35Z tel *********67"),
        ("Starting Rasa server on http://127.0.0.1:53039", "Starting Rasa server on http://127.0.0.1:53039"),
        ("GET http://localhost:50667/x plz 50667", "GET http://localhost:50667/x plz ***67"),
    ],
)
def test_timestamps_and_server_addresses_stay_readable(line, masked):
    from bot.logging_mask import mask_text

    assert mask_text(line) == masked
