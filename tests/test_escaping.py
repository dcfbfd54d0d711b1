"""User data never reaches a page as markup: not through a translated message that quotes
it, not through a form label or option built from it, not through a link."""

from __future__ import annotations

import ast
from pathlib import Path

from markupsafe import escape
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.i18n import lazy_gettext as _l
from fitcheck.models import Partner
from fitcheck.services import ServiceError, partners

from .support import csrf_token

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_a_lazy_message_escapes_the_values_it_quotes(app):
    with app.test_request_context():
        message = _l("Our side (%(name)s)", name=PAYLOAD)
        assert str(message) == f"Our side ({PAYLOAD})"  # text stays text: mail, CSV, JSON
        assert str(escape(message)) == "Our side (&lt;img src=x onerror=alert(1)&gt;)"
        page = app.jinja_env.from_string("{{ m }}|{{ [m, m]|join(', ') }}").render(m=message)
        assert "<img" not in page and page.count("&lt;img") == 3


def test_assessment_page_escapes_workspace_and_partner_names_in_the_side_picker(
    client, make_user, sign_in, make_assessment
):
    user = make_user("o@example.com")
    assessment, _tokens = make_assessment(user, launch=False)
    user.workspace.name = PAYLOAD
    assessment.partner.name = PAYLOAD
    db.session.commit()
    sign_in("o@example.com")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "&lt;img src=x" in page
    assert "<img src=x" not in page


def test_a_field_error_quoting_a_name_is_escaped(client, make_user, sign_in):
    owner = make_user("o@example.com")
    colleague = make_user("hanako@example.com", workspace=owner.workspace)
    colleague.name = PAYLOAD
    db.session.commit()
    sign_in("o@example.com")
    data = {"email": "hanako@example.com", "role": "member"}
    data["csrf_token"] = csrf_token(client, "/members")
    page = client.post("/members", data=data).get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt; is already a member" in page
    assert "<img src=x" not in page


def test_a_partner_website_must_be_a_web_address(app, make_user):
    user = make_user()
    for website in ("javascript://x.com/%0Aalert(1)", "JavaScript:alert(1)", "data:text/html,x"):
        try:
            partners.create_partner(user.workspace_id, name="Hoshino", website=website)
        except ServiceError as error:
            assert error.field == "website"
        else:
            raise AssertionError(f"{website} was accepted")
    partner = partners.create_partner(
        user.workspace_id, name="Hoshino", website="https://hoshino.example/"
    )
    assert partner.website == "https://hoshino.example/"


def test_a_stored_non_web_address_is_never_a_link(client, make_user, sign_in):
    user = make_user("o@example.com")
    partner = Partner(workspace_id=user.workspace_id, name="Hoshino", website="javascript:alert(1)")
    db.session.add(partner)
    db.session.commit()
    sign_in("o@example.com")
    page = client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert 'href="javascript:' not in page
    assert db.session.scalar(select(Partner.website)) == "javascript:alert(1)"


def test_every_module_takes_its_lazy_messages_from_fitcheck_i18n():
    """Flask-Babel's own lazy string is markup to Jinja: one import of it is one hole."""
    package = Path(__file__).resolve().parents[1] / "fitcheck"
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                names = {alias.name for alias in node.names}
                if names & {"lazy_gettext", "lazy_ngettext", "lazy_pgettext", "lazy_npgettext"}:
                    offenders.append(str(path.relative_to(package)))
    assert offenders == []


def test_json_writes_a_lazy_message_as_its_text(app):
    with app.test_request_context():
        message = _l("Our side (%(name)s)", name="O'Neil & <Co>")
        assert app.json.loads(app.json.dumps({"m": message})) == {"m": "Our side (O'Neil & <Co>)"}
