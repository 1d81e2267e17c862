"""API tokens (docs/spec.md#95-api-tokens): making one, and the only form a database keeps.

A token is 32 random bytes (43 URL-safe characters), shown to its owner once. The database keeps
its SHA-256: a fast hash is enough for a secret this long, which no one can guess or brute-force
the way a password can be (slow, salted hashes are for what people choose), and it lets each
request find its token with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32
DIGEST_LENGTH = 64  # hex characters of a SHA-256


def new_token() -> tuple[str, str]:
    """A new secret, and the digest to store in its place."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    return secret, token_digest(secret)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header, or `None` when there is none.

    A header with another scheme or no token gives `""`: a credential that matches no token, so
    the API answers it 401 as it answers a wrong token (docs/spec.md#95-api-tokens).
    """
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return ""
    return token
