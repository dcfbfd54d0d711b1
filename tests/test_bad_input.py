"""Bad input gets a clear answer, never a 500, and loses nothing typed: control characters
and broken characters in every kind of text (web forms, the respondent's survey, query
strings, the CSV import, the API), oversized bodies, absurd page numbers, deeply nested
JSON, non-finite amounts and overlong CSV cells. On SQLite and PostgreSQL alike (PostgreSQL
refuses NUL in text; SQLite would store it silently)."""

from __future__ import annotations

import ast
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask_wtf import FlaskForm as FlaskWtfForm
from sqlalchemy import func, select

from fitcheck import forms, text
from fitcheck.extensions import csrf, db
from fitcheck.forms.base import FlaskForm
from fitcheck.models import (
    Answer,
    ApiToken,
    Assessment,
    Contact,
    Outcome,
    Partner,
    Respondent,
    Side,
    Trait,
    TraitSet,
    User,
    Workspace,
    utcnow,
)
from fitcheck.services import api_tokens
from fitcheck.services import outcomes as outcome_service

from .support import csrf_token

FORMS_PACKAGE = Path(__file__).resolve().parents[1] / "fitcheck" / "forms"
CONTROL_MESSAGE = "invisible control character"
# NUL (PostgreSQL refuses it) and the unit separator (another C0 control character).
CONTROLS = [pytest.param("\x00", id="NUL"), pytest.param("\x1f", id="US")]


@pytest.fixture
def owner(make_user, sign_in):
    user = make_user("owner@example.com")
    sign_in("owner@example.com")
    return user


@pytest.fixture
def place(owner, make_assessment):
    """What the staff forms post about: a partner, its draft assessment, a trait set."""
    assessment, _tokens = make_assessment(
        owner, launch=False, deadline=utcnow() + timedelta(days=14)
    )
    return {
        "partner": assessment.partner_id,
        "assessment": assessment.id,
        "trait_set": assessment.source_trait_set_id,
    }


@pytest.fixture
def survey(make_assessment):
    """A launched assessment and the link of its company respondent."""
    assessment, tokens = make_assessment(deadline=utcnow() + timedelta(days=14))
    respondent, token = next((r, t) for r, t in tokens.items() if r.side is Side.COMPANY)
    return assessment, respondent, token


def _count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)))


# --------------------------------------------------------------------------------------------
# Web forms: a control character is a field error, every typed value stays, nothing is written
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormCase:
    """A form of the staff pages, posted with one field holding a control character."""

    form_url: str  # formatted with the ids of `place`
    data: dict[str, str]
    bad_field: str
    written: Callable[[], Any]  # what the post would change; the same before and after
    post_url: str = ""  # when the form posts elsewhere than where it is shown
    kept: tuple[str, ...] = field(default=())  # other typed values, as the page shows them


def _partner_names() -> Any:
    return sorted(db.session.scalars(select(Partner.name)))


def _workspace_names() -> Any:
    return sorted(db.session.scalars(select(Workspace.name)))


PARTNER = {"name": "Acme Trading", "website": "https://acme.example", "notes": "Met at the fair"}
TRAIT_SET = {
    "name": "Supplier traits",
    "scale_lo": "1",
    "scale_hi": "5",
    "point_labels_en": "Poor\nWeak\nFair\nGood\nGreat",
    "point_labels_ja": "悪い\n弱い\n普通\n良い\n優秀",
}
TRAIT = {
    "label_en": "Punctuality",
    "label_ja": "時間厳守",
    "description_en": "Keeps dates",
    "description_ja": "期日を守る",
    "question_other_en": "Is {partner} on time?",
    "question_other_ja": "{partner}は時間を守りますか?",
    "question_self_en": "Are we on time?",
    "question_self_ja": "私たちは時間を守りますか?",
}
CONTACT = {"name": "Hanako Sato", "email": "hanako@example.com", "title": "Buyer"}
RESPONDENT = {"side": "company", "name": "Taro Yamada", "email": "taro@example.com"}
OUTCOME = {"period": "2025", "observed_on": "2025-06-30", "satisfaction": "7", "note": "Renewed"}
ASSESSMENT = {
    "title": "Review 2026",
    "kind": "pre_contract",
    "reveal_policy": "manual",
    "reminder_days": "3, 1",
    "min_responses_per_side": "1",
}

FORM_CASES = {
    "partner name": FormCase(
        "/partners/new", PARTNER, "name", lambda: _count(Partner), kept=("Met at the fair",)
    ),
    "partner notes": FormCase(
        "/partners/new", PARTNER, "notes", lambda: _count(Partner), kept=("Acme Trading",)
    ),
    "partner name, edited": FormCase(
        "/partners/{partner}/edit", PARTNER, "name", _partner_names, kept=("Met at the fair",)
    ),
    "trait set name": FormCase(
        "/trait-sets/new", TRAIT_SET, "name", lambda: _count(TraitSet), kept=("Great", "優秀")
    ),
    "trait label": FormCase(
        "/trait-sets/{trait_set}/traits/new",
        TRAIT,
        "label_en",
        lambda: _count(Trait),
        kept=("時間厳守", "Are we on time?"),
    ),
    "trait question": FormCase(
        "/trait-sets/{trait_set}/traits/new",
        TRAIT,
        "question_self_ja",
        lambda: _count(Trait),
        kept=("Punctuality",),
    ),
    "contact name": FormCase(
        "/partners/{partner}",
        CONTACT,
        "name",
        lambda: _count(Contact),
        post_url="/partners/{partner}/contacts",
        kept=("hanako@example.com", "Buyer"),
    ),
    "contact title": FormCase(
        "/partners/{partner}",
        CONTACT,
        "title",
        lambda: _count(Contact),
        post_url="/partners/{partner}/contacts",
        kept=("Hanako Sato",),
    ),
    "respondent name": FormCase(
        "/assessments/{assessment}",
        {**RESPONDENT, "language": "en"},
        "name",
        lambda: _count(Respondent),
        post_url="/assessments/{assessment}/respondents",
        kept=("taro@example.com",),
    ),
    "outcome note": FormCase(
        "/outcomes/partners/{partner}/new",
        OUTCOME,
        "note",
        lambda: _count(Outcome),
        kept=("2025-06-30",),
    ),
    "outcome period": FormCase(
        "/outcomes/partners/{partner}/new",
        OUTCOME,
        "period",
        lambda: _count(Outcome),
        kept=("Renewed",),
    ),
    "assessment title": FormCase(
        "/partners/{partner}/assessments/new",
        ASSESSMENT,
        "title",
        lambda: _count(Assessment),
        kept=("3, 1",),
    ),
    "token name": FormCase(
        "/account",
        {"name": "CRM sync"},
        "name",
        lambda: _count(ApiToken),
        post_url="/account/api-tokens",
    ),
    "workspace name": FormCase("/workspace", {"name": "Blue Sky Ltd"}, "name", _workspace_names),
}


def _filled(case: FormCase, place: dict[str, int], bad: str) -> dict[str, str]:
    data = dict(case.data)
    data[case.bad_field] = f"Before{bad}after"
    if "trait_set_id" not in data and case.form_url.endswith("/assessments/new"):
        data["trait_set_id"] = str(place["trait_set"])
        data["deadline"] = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    return data


@pytest.mark.parametrize("bad", CONTROLS)
@pytest.mark.parametrize("case", FORM_CASES.values(), ids=FORM_CASES.keys())
def test_a_control_character_in_a_staff_form_is_a_field_error_that_keeps_every_value(
    client, place, case, bad
):
    form_url = case.form_url.format(**place)
    post_url = (case.post_url or case.form_url).format(**place)
    before = case.written()
    data = _filled(case, place, bad)
    response = client.post(post_url, data={**data, "csrf_token": csrf_token(client, form_url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert CONTROL_MESSAGE in page
    assert f"(U+{ord(bad):04X})" in page
    for value in case.kept:
        assert value in page
    db.session.rollback()
    assert case.written() == before


def test_a_control_character_in_the_sign_up_form_is_a_field_error(app):
    client = app.test_client()
    data = {
        "workspace_name": "Blue\x00Sky",
        "name": "Hanako Sato",
        "email": "hanako@example.com",
        "password": "a long enough passphrase",
        "confirm": "a long enough passphrase",
    }
    response = client.post("/sign-up", data={**data, "csrf_token": csrf_token(client, "/sign-up")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CONTROL_MESSAGE in page and "hanako@example.com" in page
    assert _count(User) == 0


def test_tabs_and_line_breaks_stay_allowed_in_text_of_several_lines(client, owner):
    data = {**PARTNER, "notes": "Line one\r\n\tindented line two"}
    response = client.post(
        "/partners/new", data={**data, "csrf_token": csrf_token(client, "/partners/new")}
    )
    assert response.status_code == 302
    notes = db.session.scalar(select(Partner.notes).where(Partner.name == "Acme Trading"))
    assert notes == "Line one\r\n\tindented line two"


def test_a_tab_in_a_one_line_field_is_refused_as_the_api_refuses_it(client, owner):
    data = {**PARTNER, "name": "Acme\tTrading"}
    response = client.post(
        "/partners/new", data={**data, "csrf_token": csrf_token(client, "/partners/new")}
    )
    assert response.status_code == 200
    assert "(U+0009)" in response.get_data(as_text=True)
    assert _count(Partner) == 0


def _form_classes() -> list[type]:
    found: list[type] = []
    pending = list(FlaskWtfForm.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("fitcheck."):
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_form_goes_through_the_base_form_with_the_text_rule():
    classes = _form_classes()
    assert forms.PartnerForm in classes and len(classes) > 20
    assert all(issubclass(cls, FlaskForm) for cls in classes), [
        cls for cls in classes if not issubclass(cls, FlaskForm)
    ]
    for path in FORMS_PACKAGE.glob("*.py"):
        if path.name == "base.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_wtf":
                assert "FlaskForm" not in {alias.name for alias in node.names}, path.name


def test_the_generated_survey_form_has_the_rule_too(survey):
    assessment, _respondent, _token = survey
    survey_form = forms.build_survey_form(
        assessment.traits,
        scale_lo=assessment.scale_lo,
        scale_hi=assessment.scale_hi,
        point_labels=assessment.point_labels,
        locale="en",
    )
    assert issubclass(survey_form, FlaskForm)


# --------------------------------------------------------------------------------------------
# The respondent's survey, autosave and decline
# --------------------------------------------------------------------------------------------


def _answers(assessment: Assessment, comment: str) -> dict[str, str]:
    data = {}
    for number, trait in enumerate(assessment.traits):
        data[f"{trait.key}-other"] = "4"
        data[f"{trait.key}-self"] = "3"
        data[f"{trait.key}-comment"] = comment if number == 0 else f"fine on {trait.key}"
    return data


def _answer_rows(respondent: Respondent) -> int:
    return int(
        db.session.scalar(
            select(func.count(Answer.id)).where(Answer.respondent_id == respondent.id)
        )
    )


@pytest.mark.parametrize("bad", CONTROLS)
@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_control_character_in_a_survey_comment_keeps_every_answer(client, survey, bad, action):
    assessment, respondent, token = survey
    url = f"/r/{token}/answers"
    data = {**_answers(assessment, f"Pasted{bad}text"), "action": action}
    response = client.post(url, data={**data, "csrf_token": csrf_token(client, url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CONTROL_MESSAGE in page
    second = assessment.traits[1].key
    assert f"fine on {second}" in page
    assert f'name="{second}-other" type="radio" value="4"' in page
    # Nothing lost: the other traits are kept as a draft; the refused one is not stored.
    assert _answer_rows(respondent) == len(assessment.traits) - 1
    db.session.refresh(respondent)
    assert respondent.submitted_at is None


@pytest.mark.parametrize("bad", CONTROLS)
def test_a_control_character_in_an_autosave_is_a_field_error_in_json(client, survey, bad):
    assessment, respondent, token = survey
    data = _answers(assessment, f"Pasted{bad}text")
    data["csrf_token"] = csrf_token(client, f"/r/{token}/answers")
    response = client.post(f"/r/{token}/autosave", data=data)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert CONTROL_MESSAGE in errors[f"{assessment.traits[0].key}-comment"]
    assert _answer_rows(respondent) == 0


@pytest.mark.parametrize("bad", CONTROLS)
def test_a_control_character_in_a_decline_reason_keeps_the_reason(client, survey, bad):
    _assessment, respondent, token = survey
    url = f"/r/{token}/decline"
    response = client.post(
        url, data={"reason": f"Not my{bad} project", "csrf_token": csrf_token(client, url)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CONTROL_MESSAGE in page and "project</textarea>" in page
    db.session.refresh(respondent)
    assert respondent.declined_at is None


# --------------------------------------------------------------------------------------------
# Query strings and page numbers
# --------------------------------------------------------------------------------------------


def test_the_partner_search_ignores_control_characters(client, owner, make_partner):
    make_partner(owner.workspace, "Acme Trading")
    response = client.get("/partners/?q=Ac%00me%1F")
    assert response.status_code == 200
    assert "Acme Trading" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775808", "-3", "0"])
@pytest.mark.parametrize("path", ["/partners/", "/partners/?archived=1&", "/audit"])
def test_every_paginated_list_takes_any_page_number(client, owner, make_partner, path, page):
    make_partner(owner.workspace, "Acme Trading")
    separator = "" if path.endswith("&") else "?"
    response = client.get(f"{path}{separator}page={page}")
    assert response.status_code == 200


def test_a_page_number_is_capped_in_one_place():
    from fitcheck.services import paging

    assert paging.page_number(99999999999999999999) == paging.MAX_PAGE
    assert paging.page_number(-3) == 1
    assert paging.page_number(7) == 7


# --------------------------------------------------------------------------------------------
# Outcomes: amounts that are not numbers, the CSV import
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("revenue", ["sNaN", "NaN", "snan", "Infinity", "-Infinity", "1E+999999"])
def test_an_outcome_revenue_that_is_no_amount_is_a_field_error(client, place, revenue):
    url = f"/outcomes/partners/{place['partner']}/new"
    data = {**OUTCOME, "revenue": revenue}
    response = client.post(url, data={**data, "csrf_token": csrf_token(client, url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="revenue"' in page and "is-invalid" in page
    assert "Renewed" in page and revenue in page
    assert _count(Outcome) == 0


HEADER = "partner,period,observed_on,contract_signed,renewed,satisfaction,revenue,note\n"


def _import(client, content: bytes):
    token = csrf_token(client, "/outcomes/import")
    return client.post(
        "/outcomes/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "outcomes.csv")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("bad", CONTROLS)
@pytest.mark.parametrize("column", ["partner", "note"])
def test_a_control_character_in_an_imported_cell_is_a_row_error(
    client, owner, make_partner, column, bad
):
    make_partner(owner.workspace, "Acme Trading")
    row = {"partner": "Acme Trading", "note": "Signed"}
    row[column] = row[column].replace("S", f"S{bad}").replace("A", f"A{bad}")
    content = f"{HEADER}{row['partner']},2025,2025-12-31,yes,,8,100,{row['note']}\n".encode()
    response = _import(client, content)
    assert response.status_code == 200
    assert "Nothing was imported" in response.get_data(as_text=True)
    report = outcome_service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    assert [(error.row, error.column) for error in report.errors] == [(2, column)]
    assert CONTROL_MESSAGE in report.errors[0].message
    assert _count(Outcome) == 0


def test_a_line_break_in_an_imported_note_stays(app, owner, make_partner):
    make_partner(owner.workspace, "Acme Trading")
    content = f'{HEADER}Acme Trading,2025,2025-12-31,,,,,"Two\nlines\tand a tab"\n'.encode()
    report = outcome_service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    assert report.ok
    assert db.session.scalar(select(Outcome.note)) == "Two\nlines\tand a tab"


def test_an_imported_cell_over_the_csv_limit_is_a_row_error(client, owner, make_partner):
    make_partner(owner.workspace, "Acme Trading")
    huge = "x" * 131_073
    content = (
        f"{HEADER}Acme Trading,2025,2025-12-31,,,,,fine\nAcme Trading,2026,2026-01-31,,,,,{huge}\n"
    ).encode()
    response = _import(client, content)
    assert response.status_code == 200
    assert "Nothing was imported" in response.get_data(as_text=True)
    report = outcome_service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    assert [error.row for error in report.errors] == [3]
    assert "131072 characters" in report.errors[0].message
    assert _count(Outcome) == 0


def test_a_header_cell_over_the_csv_limit_is_a_row_error(app, owner):
    content = f"partner,period,observed_on,{'x' * 131_073}\n".encode()
    report = outcome_service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    assert [error.row for error in report.errors] == [1]


@pytest.mark.parametrize("revenue", ["sNaN", "NaN", "Infinity"])
def test_an_imported_revenue_that_is_no_amount_is_a_row_error(app, owner, make_partner, revenue):
    make_partner(owner.workspace, "Acme Trading")
    content = f"{HEADER}Acme Trading,2025,2025-12-31,,,,{revenue},\n".encode()
    report = outcome_service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    assert [(error.row, error.column) for error in report.errors] == [(2, "revenue")]


# --------------------------------------------------------------------------------------------
# Bodies over the size limit, and the error pages themselves
# --------------------------------------------------------------------------------------------


def _oversized(app) -> str:
    return "x" * (int(app.config["MAX_CONTENT_LENGTH"]) + 1)


def test_a_form_over_the_size_limit_gets_its_own_413_page(app, client, owner):
    token = csrf_token(client, "/partners/new")
    response = client.post(
        "/partners/new", data={"name": "Acme", "notes": _oversized(app), "csrf_token": token}
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too large" in page
    assert 'name="locale"' in page  # the page is whole, language switch and all
    assert _count(Partner) == 0


def test_a_survey_over_the_size_limit_gets_the_413_page(app, client, survey):
    _assessment, respondent, token = survey
    response = client.post(f"/r/{token}/answers", data={"x-comment": _oversized(app)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert _answer_rows(respondent) == 0


def test_the_500_page_never_reads_the_request_body(app):
    def fail() -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/test-failure", "test_failure", fail, methods=["POST"])
    csrf.exempt(fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().post("/test-failure", data={"x": _oversized(app)})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


# --------------------------------------------------------------------------------------------
# The API: nesting, broken characters, control characters, amounts
# --------------------------------------------------------------------------------------------


@pytest.fixture
def bearer(owner) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_tokens.create_token(owner, 'Tests')[1]}"}


def _raw_json(client, method: str, path: str, body: str, headers: dict[str, str] | None = None):
    return getattr(client, method)(
        path, data=body.encode(), content_type="application/json", headers=headers or {}
    )


def _api_error(response: Any, code: int) -> dict[str, Any]:
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return dict(error)


DEEP = "[" * 3000 + "]" * 3000


@pytest.mark.parametrize("body", [DEEP, '{"name": ' + '{"a": ' * 3000 + "1" + "}" * 3001])
def test_deeply_nested_json_is_a_400(client, bearer, body):
    response = _raw_json(client, "post", "/api/v1/partners", body, bearer)
    error = _api_error(response, 400)
    assert "nested" in error["message"]


def test_deeply_nested_json_to_the_respondent_endpoint_is_a_400(client, survey):
    _assessment, _respondent, token = survey
    response = _raw_json(client, "put", f"/api/v1/responses/{token}", DEEP)
    _api_error(response, 400)


@pytest.mark.parametrize(
    "escaped", [pytest.param("\\ud800", id="lone surrogate"), pytest.param("\\u0000", id="NUL")]
)
def test_a_broken_or_control_character_in_an_api_name_is_a_422(client, bearer, place, escaped):
    response = _raw_json(client, "post", "/api/v1/partners", f'{{"name": "Acme{escaped}"}}', bearer)
    assert list(_api_error(response, 422)["fields"]) == ["name"]
    body = f'{{"side": "company", "name": "Taro{escaped}"}}'
    path = f"/api/v1/assessments/{place['assessment']}/respondents"
    response = _raw_json(client, "post", path, body, bearer)
    assert list(_api_error(response, 422)["fields"]) == ["name"]
    body = f'{{"observed_on": "2025-06-30", "note": "Fine{escaped}"}}'
    path = f"/api/v1/partners/{place['partner']}/outcomes/2025"
    response = _raw_json(client, "put", path, body, bearer)
    assert list(_api_error(response, 422)["fields"]) == ["note"]
    assert _count(Outcome) == 0
    assert _count(Partner) == 1


def test_a_lone_surrogate_in_an_api_comment_is_a_422(client, survey):
    assessment, respondent, token = survey
    key = assessment.traits[0].key
    body = json.dumps({"answers": [{"trait_key": key, "other": 3, "comment": "x"}]})
    body = body.replace('"x"', '"broken \\udc80 text"')
    response = _raw_json(client, "put", f"/api/v1/responses/{token}", body)
    error = _api_error(response, 422)
    assert list(error["fields"]) == ["answers"]
    assert "broken character" in json.dumps(error["fields"])
    assert _answer_rows(respondent) == 0


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_an_api_revenue_that_is_no_amount_is_a_422(client, bearer, place, amount):
    body = f'{{"observed_on": "2025-06-30", "revenue": {amount}}}'
    path = f"/api/v1/partners/{place['partner']}/outcomes/2025"
    response = _raw_json(client, "put", path, body, bearer)
    assert list(_api_error(response, 422)["fields"]) == ["revenue"]


# --------------------------------------------------------------------------------------------
# The rule itself (no app)
# --------------------------------------------------------------------------------------------


def test_the_text_rule_by_character_class():
    assert text.forbidden_character("Acme 株式会社 😀") is None
    assert text.forbidden_character("a\x00b") == "\x00"
    assert text.forbidden_character("a\tb") == "\t"
    assert text.forbidden_character("a\tb\r\nc", lines=True) is None
    assert text.forbidden_character("a\x7fb", lines=True) == "\x7f"
    assert text.forbidden_character("a\ud800b", lines=True) == "\ud800"
    assert text.forbidden_character("C1 \x85 is visible enough") is None
    assert text.without_forbidden("Ac\x00me\x1f") == "Acme"


# --------------------------------------------------------------------------------------------
# The same inputs elsewhere: no answer is a 500
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/portfolio/?year=99999999999999999999",
        "/portfolio/?year=-99999999999999999999&kind=%00",
        "/portfolio/analysis?scale=99999999999999999999-5",
        "/portfolio/analysis?scale=1-99999999999999999999&measure=%00",
        "/audit?kind=%00&page=%00",
        "/partners/?q=%ED%A0%80",
        "/r/%00",
        "/r/%00/answers",
        "/join/%00",
        "/password-reset/%00",
        "/sign-up/confirm/%00",
        "/partners/99999999999999999999",
    ],
)
def test_odd_urls_are_never_a_500(client, owner, path):
    response = client.get(path)
    assert response.status_code < 500


def test_odd_api_values_are_never_a_500(client, bearer, place, survey):
    _assessment, _respondent, token = survey
    odd = [
        ("post", "/api/v1/partners", '{"name\\ud800": "x", "name": "Acme"}'),
        (
            "post",
            f"/api/v1/assessments/{place['assessment']}/respondents",
            '{"side": "company", "name": "Taro", "email": "t\\ud800@example.com"}',
        ),
        (
            "put",
            f"/api/v1/responses/{token}",
            '{"answers": [{"trait_key": "k\\u0000\\ud800", "other": 3}]}',
        ),
        (
            "put",
            f"/api/v1/partners/{place['partner']}/outcomes/20%00",
            '{"observed_on": "2025-06-30"}',
        ),
        ("get", "/api/v1/portfolio/analysis?kind=%00&measure=%00", ""),
        ("get", "/api/v1/partners/99999999999999999999/timeline", ""),
    ]
    for method, path, body in odd:
        response = _raw_json(client, method, path, body, bearer)
        assert 400 <= response.status_code < 500, (path, response.get_data(as_text=True))


def test_a_control_character_in_a_next_url_is_never_a_500(client, owner):
    token = csrf_token(client, "/partners/")
    response = client.post(
        "/language", data={"locale": "ja", "next": "/partners/\x00x", "csrf_token": token}
    )
    assert response.status_code == 302
