"""Every kind of mail fitcheck sends, and the function that writes each.

A mail is a pair of templates, `templates/mail/<name>.txt` (which also sets `subject` at
its top) and `templates/mail/<name>.html`; `render_templates` renders both. The outbox
calls a kind's renderer inside `force_locale(message.locale)` when the worker sends it; a
renderer returns None when what the mail was about no longer exists.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from .outbox import Rendered, Renderer


def render_templates(name: str, context: dict[str, Any]) -> Rendered:
    """`mail/<name>.txt` (its `subject` and body) and `mail/<name>.html`."""
    subject, text = _render(f"mail/{name}.txt", context)
    _, html = _render(f"mail/{name}.html", {**context, "subject": subject})
    return Rendered(subject=subject, text=text, html=html)


def _render(template_name: str, context: dict[str, Any]) -> tuple[str, str]:
    template = current_app.jinja_env.get_template(template_name)
    module = template.make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    return subject, str(module).strip() + "\n"


def renderers() -> dict[str, Renderer]:
    """Kind → renderer. Add a line here for each new kind of mail."""
    from . import accounts, invitations, meetings, members, notifications

    return {
        "commitment_digest": notifications.render_commitment_digest,
        "deadline_missed": notifications.render_deadline_missed,
        "invitation": invitations.render_invitation,
        "meeting_summary": meetings.render_summary_mail,
        "member_invitation": members.render_member_invitation,
        "password_reset": accounts.render_password_reset,
        "reminder": invitations.render_reminder,
        "results_ready": notifications.render_results_ready,
        "results_ready_staff": notifications.render_results_ready_staff,
        "sign_up_confirm": accounts.render_sign_up_confirm,
        "sign_up_existing": accounts.render_sign_up_existing,
    }
