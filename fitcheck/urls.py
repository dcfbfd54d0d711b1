"""URLs: redirect targets that cannot leave the site, and absolute links for mail."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


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


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL under BASE_URL, the app's public address, for links in mail.

    Built from BASE_URL alone, never from the request: a mail written by the web process
    and one written by the worker link to the same place, and a forged Host header cannot
    put another site into a password-reset mail.
    """
    base = urlsplit(str(current_app.config["BASE_URL"]))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
