"""Server-side keys that sign what the bot hands out (web chat session secrets,
console login forms), so that only values the server issued are accepted.

A key comes from the environment (base64, for several processes or machines,
e.g. WEBCHAT_SESSION_KEY), or is made once and kept in var/<name>.key, readable
only by the owner, so it survives restarts of `make run`. Deleting the file
invalidates everything signed with it (open web chats start a new
conversation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from bot.paths import PROJECT_ROOT

KEY_BYTES = 32
SIGNATURE_CHARS = 22  # 132 bits of HMAC-SHA256, base64url


@lru_cache(maxsize=8)
def server_key(name: str, env_var: str, directory: Path = PROJECT_ROOT / "var") -> bytes:
    configured = os.environ.get(env_var)
    if configured:
        key = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
        if len(key) < 16:
            raise ValueError(f"{env_var} must hold at least 16 bytes (base64)")
        return key
    path = directory / f"{name}.key"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
    return path.read_bytes()


def sign(key: bytes, value: str) -> str:
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:SIGNATURE_CHARS]


def issue(key: bytes) -> str:
    """A fresh random value with its signature: "<nonce>.<signature>"."""
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{sign(key, nonce)}"


def issued(key: bytes, value: object) -> bool:
    """Was this value made by issue() with this key?"""
    if not isinstance(value, str) or len(value) > 100 or value.count(".") != 1:
        return False
    nonce, signature = value.split(".")
    return bool(nonce) and hmac.compare_digest(signature.encode(), sign(key, nonce).encode())
