"""Unguessable tokens: invitation links, sign-in sessions and API tokens.

Only a token's SHA-256 is stored. A fast hash is enough here (unlike passwords) because a
random 256-bit token cannot be brute-forced from its hash.

Invitation links must be shown again (copied from the progress page, sent in a reminder),
yet never stored. So an invitation token is derived: HMAC-SHA256 under the app's
SECRET_KEY of a random 128-bit nonce kept on the respondent. The database alone (a backup,
a leaked dump) yields no working link; the running app can rebuild any link it issued.
Rotating SECRET_KEY, or issuing a new nonce, ends the old links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32
NONCE_BYTES = 16


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_token(secret_key: str | bytes, nonce: str) -> str:
    return derived_token(secret_key, "invitation", nonce)


def derived_token(secret_key: str | bytes, purpose: str, nonce: str) -> str:
    """HMAC-SHA256 under SECRET_KEY of `purpose` and `nonce`: a link token that the app can
    rebuild (to mail it again) while the database holds only the nonce and the token's
    hash. Each purpose (invitation, member, reset, sign-up) has its own tokens."""
    key = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    message = f"fitcheck-{purpose}:{nonce}".encode("ascii")
    digest = hmac.new(key, message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")
