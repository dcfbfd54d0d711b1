"""HTTP-level protections: secure cookies over HTTPS, proxy headers, response headers."""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.middleware.proxy_fix import ProxyFix

from .assets import bp as assets_bp

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # plotly.js writes style attributes and a <style> element as it draws.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    )
)


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS; no session for
    assets.

    The setting alone is static; deciding per request keeps `make run` on plain http working
    while a deployment behind TLS gets Secure cookies without a flag to forget.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # An asset is the same for everyone: its response neither refreshes the cookie nor
        # says `Vary: Cookie`, which would make the browser's cache miss whenever the cookie
        # changed. (An error page that wrote to the session still saves it.)
        if request.path.startswith(f"{assets_bp.url_prefix}/") and not session.modified:
            return
        super().save_session(app, session, response)


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
    if app.config.get("PROXY_FIX"):
        # One trusted proxy in front (a load balancer or nginx) sets X-Forwarded-*.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.after_request(_set_headers)
