"""Redirect targets that cannot leave the site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback`.

    Refuses absolute URLs, scheme-relative `//host` and backslash tricks that some browsers
    read as `//`, so a crafted `next` cannot send a user to another site after signing in.
    """
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(char) < 32 for char in target):
        return fallback
    return target
