"""Unguessable tokens: invitation links, sign-in sessions and API tokens.

Tokens carry 256 bits from `secrets`; only their SHA-256 is stored. A fast hash is enough
here (unlike passwords) because a random 256-bit token cannot be brute-forced from its hash.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
