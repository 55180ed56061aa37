"""bot.server_keys: values the server signs, keys from the environment or a private file."""

from __future__ import annotations

import base64
import stat

import pytest

from bot.server_keys import issue, issued, server_key


def test_only_issued_values_are_accepted():
    key, other = b"k" * 32, b"o" * 32
    value = issue(key)
    assert issued(key, value)
    assert not issued(other, value)
    nonce, signature = value.split(".")
    for forged in (nonce, f"{nonce}.{'A' * len(signature)}", f"{nonce}x.{signature}", "", None, 42, "a.b.c", "." * 2):
        assert not issued(key, forged), forged


def test_a_key_file_is_made_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_KEY", raising=False)
    server_key.cache_clear()
    first = server_key("demo", "TEST_KEY", tmp_path)
    server_key.cache_clear()
    assert server_key("demo", "TEST_KEY", tmp_path) == first and len(first) == 32
    assert stat.S_IMODE((tmp_path / "demo.key").stat().st_mode) == 0o600


def test_a_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_KEY", base64.urlsafe_b64encode(b"e" * 32).decode().rstrip("="))
    server_key.cache_clear()
    assert server_key("demo", "TEST_KEY", tmp_path) == b"e" * 32
    assert not (tmp_path / "demo.key").exists()
    monkeypatch.setenv("TEST_KEY", "c2hvcnQ")  # "short"
    server_key.cache_clear()
    with pytest.raises(ValueError):
        server_key("demo", "TEST_KEY", tmp_path)
    server_key.cache_clear()
