"""Unit tests for bot.nlu.language: German unless the message is clearly not German."""

from __future__ import annotations

import pytest

from bot.nlu.language import ENGLISH, GERMAN, OTHER_SCRIPT, TURKISH, LanguageGuess, guess_language


@pytest.mark.parametrize(
    "text",
    [
        "my internet is not working",
        "My internet doesn't work since yesterday",
        "My internet doesn’t work since yesterday",  # typographic apostrophe
        "It’s not working",
        "hello, can you help me?",
        "Hi, I can't connect to the wifi",
        "Internet not working",
        "the router is blinking red",
        "I have no connection",
        "I have a problem with my wifi",
        "please help",
        "HELP ME",
        "do you speak english?",
        "thank you",
        "wifi is slow",
        "router is not working",
        "can't login",
        "Sorry, my German is bad. Can you help me in English?",
        "What is going on with my connection?",
        "is the internet down in 50667?",
        "my wifi does not work and the router is blinking",
        "I am from Turkey, internet problem",
    ],
)
def test_english(text):
    guess = guess_language(text)
    assert guess == LanguageGuess(ENGLISH, confident=True)
    assert not guess.is_german


@pytest.mark.parametrize(
    "text",
    [
        "mein internet geht seit gestern nicht",
        "Die DSL-Lampe blinkt und ich habe kein Internet",
        "wlan geht nich",
        "Keine Verbindung",
        "geht nicht",
        "was ist los",
        "bitte hilfe",
        "ok danke",
        "hab die fritzbox schon neu gestartet",
        "internet nicht gehen, bitte hilfe",
        "mein deutsch nicht gut, bitte anrufen mich",
        "speedtest zeigt nur 16 mbit",
        "Ich wohne in der Kurfürstenstraße, Internet geht nicht",
        "Sehr geehrte Damen und Herren, seit Montag ist mein Anschluss gestört.",
    ],
)
def test_german(text):
    guess = guess_language(text)
    assert guess == LanguageGuess(GERMAN, confident=True)
    assert guess.is_german


@pytest.mark.parametrize(
    "text",
    [
        "mein router geht nicht",
        "ich hab den router schon resettet",
        "reset gemacht, geht immer noch nicht",
        "login geht nicht",
        "login geht nicht, sorry",
        "sorry, hab mich vertippt",
        "sorry aber das ist nicht ok",
        "ok, hab den reset gemacht",
        "mein internet ist sehr slow",
        "das wlan ist down",
        "das internet is kaputt",
        "my internet ist kaputt",
        "das ist the worst service ever",
        "sorry, the router ist kaputt",
        "beim login kommt 'password is wrong' obwohl das passwort stimmt",
        "der router sagt: DSL is not synchronized",
        "hab die fritzbox neu gestartet, the same problem",
        "mein internet geht seit gestern nicht, can you help me?",
        "hi my internet is down, ich wohne in köln",
    ],
)
def test_german_with_english_loanwords_and_phrases_stays_german(text):
    guess = guess_language(text)
    assert guess.language == GERMAN
    assert guess.is_german


@pytest.mark.parametrize(
    "text",
    [
        "router reset",
        "login",
        "ok",
        "ok cool",
        "sorry",
        "hallo",
        "hi",
        "hello",
        "Internet",
        "WLAN",
        "Fritzbox 7590",
        "Die Verbindung bricht ab",
        "internet down",
        "no internet",
        "yes",
        "thanks",
        "help",
        "my router",
    ],
)
def test_loanwords_and_short_messages_are_german_but_not_confident(text):
    guess = guess_language(text)
    assert guess == LanguageGuess(GERMAN, confident=False)
    assert guess.is_german


@pytest.mark.parametrize(
    "text",
    [
        "Merhaba, internetim çalışmıyor",
        "Merhaba, internet çalışmıyor",
        "internet yok, modem ışığı yanıp sönüyor",
        "Internet çalışmıyor",
        "İnternet bağlantım yok",
    ],
)
def test_turkish(text):
    guess = guess_language(text)
    assert guess == LanguageGuess(TURKISH, confident=True)
    assert not guess.is_german


@pytest.mark.parametrize(
    "text",
    [
        "Çok teşekkürler",  # only one of ğ ı ş
        "Yardım edin lütfen, internet yok",
        "Şahin hier, internet geht nicht",
    ],
)
def test_single_turkish_letter_is_not_enough(text):
    assert guess_language(text).language != TURKISH


@pytest.mark.parametrize(
    "text",
    [
        "Hallo, mein Name ist Ayşe Yılmaz, mein Internet geht nicht",
        "Guten Tag, hier ist Gülşen Kılıç, das WLAN geht nicht",
    ],
)
def test_german_message_with_turkish_name_is_german(text):
    assert guess_language(text).is_german


@pytest.mark.parametrize(
    "text",
    [
        "Привет, у меня не работает интернет",
        "Здравствуйте",
        "Интернет не работает, router fritzbox",
        "Hallo, Интернет не работает",
        "مرحبا، الإنترنت لا يعمل",
        "مرحبا",
        "שלום, האינטרנט לא עובד",
        "你好，我的网络坏了",
        "Γεια σας, το ίντερνετ δεν λειτουργεί",
    ],
)
def test_other_script(text):
    guess = guess_language(text)
    assert guess == LanguageGuess(OTHER_SCRIPT, confident=True)
    assert not guess.is_german


@pytest.mark.parametrize(
    "text",
    [
        "Ich heiße Наталья und mein Internet geht nicht",
        "mein router zeigt 'Ошибка' an, internet geht nicht",
    ],
)
def test_german_with_a_few_foreign_script_words_stays_german(text):
    assert guess_language(text) == LanguageGuess(GERMAN, confident=True)


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, internet ne marche pas",
        "Hola, no funciona el internet",
        "Ciao, internet non funziona",
        "dzień dobry, internet nie działa",
    ],
)
def test_other_latin_languages_are_not_flagged(text):
    # Only English and Turkish are recognised; anything else is passed on as unsure German.
    guess = guess_language(text)
    assert guess == LanguageGuess(GERMAN, confident=False)
    assert guess.is_german


@pytest.mark.parametrize("text", ["", "   ", "123", "4711 000 002", "?!", "👍", "😡😡", "0221 1234567"])
def test_no_letters_is_unsure_german(text):
    guess = guess_language(text)
    assert guess == LanguageGuess(GERMAN, confident=False)
    assert guess.is_german


@pytest.mark.parametrize(
    ("guess", "is_german"),
    [
        (LanguageGuess(GERMAN, confident=True), True),
        (LanguageGuess(GERMAN, confident=False), True),
        (LanguageGuess(ENGLISH, confident=True), False),
        (LanguageGuess(ENGLISH, confident=False), True),
        (LanguageGuess(TURKISH, confident=True), False),
        (LanguageGuess(OTHER_SCRIPT, confident=True), False),
        (LanguageGuess(OTHER_SCRIPT, confident=False), True),
    ],
)
def test_is_german_unless_confidently_something_else(guess, is_german):
    assert guess.is_german is is_german


def test_one_english_function_word_is_not_enough():
    assert guess_language("internet is kaputt").language == GERMAN


def test_english_must_outweigh_german_twice():
    # 2 English words against 1 German one is not enough; 3 against 1 is.
    assert guess_language("ich the is").language == GERMAN
    assert guess_language("ich have a problem with my internet can you help").language == ENGLISH


@pytest.mark.parametrize(
    "text",
    [
        "Fehlermeldung am Laptop: no connection to the internet",
        "da steht 'unable to connect to the server'",
    ],
)
def test_german_message_quoting_an_english_error_is_german(text):
    assert guess_language(text).is_german
