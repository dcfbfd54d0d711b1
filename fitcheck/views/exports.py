"""Downloads of a revealed assessment's answers and results (CSV, XLSX, JSON).

URLs, all under the assessment and all for signed-in staff of its workspace:

- `/assessments/<id>/export/answers.csv`: the tidy answers, one row per respondent × trait ×
  perspective;
- `/assessments/<id>/export/results.csv`: one row per trait;
- `/assessments/<id>/export/results.xlsx`: sheets Answers, Results, Fit, Comments;
- `/assessments/<id>/export/results.json`: meta, `FitResult.to_dict()`, comments.

Before the reveal each answers 409 with a page (JSON for .json) and no data. Exports hold
personal data, so no response of this blueprint may be cached. Every download is on record
in the audit log.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Blueprint, jsonify, render_template_string, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..models import Assessment
from ..services import exports
from ..services.results import ResultsSealed
from .scoping import owned_or_404

bp = Blueprint("exports", __name__)

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"

SEALED_PAGE = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1 class="h3">{{ title }}</h1>
<p>{{ message }} {{ hint }}</p>
<p><a href="{{ back }}">{{ back_label }}</a></p>
{% endblock %}"""


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every export belongs to a workspace."""


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


CONTENT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": exports.XLSX_CONTENT_TYPE,
    "json": JSON_CONTENT_TYPE,
}


@bp.get("/assessments/<int:assessment_id>/export/answers.csv")
def answers(assessment_id: int) -> Response | tuple[Response | str, int]:
    return _export(assessment_id, "answers", "csv")


@bp.get("/assessments/<int:assessment_id>/export/results.<any(csv, xlsx, json):fmt>")
def results(assessment_id: int, fmt: str) -> Response | tuple[Response | str, int]:
    return _export(assessment_id, "results", fmt)


def _export(assessment_id: int, what: str, fmt: str) -> Response | tuple[Response | str, int]:
    assessment = owned_or_404(Assessment, assessment_id)
    # Named before the export commits its audit event, which expires the loaded rows.
    filename = _filename(assessment, what, fmt)
    try:
        body = exports.export_file(assessment, what, fmt, actor=current_user._get_current_object())
    except ResultsSealed as error:
        return _sealed(assessment, error, as_json=fmt == "json")
    return _download(body, CONTENT_TYPES[fmt], filename)


def _sealed(
    assessment: Assessment, error: ResultsSealed, *, as_json: bool
) -> tuple[Response | str, int]:
    if as_json:
        message = {"code": 409, "name": "Conflict", "message": str(error.message)}
        return jsonify(error=message), 409
    page = render_template_string(
        SEALED_PAGE,
        title=_("Nothing to export yet"),
        message=error.message,
        hint=_("Exports are available once the results are revealed."),
        back=url_for("assessments.show", assessment_id=assessment.id),
        back_label=_("Back to the assessment"),
    )
    return page, 409


def _slug(name: str, *, ascii_only: bool) -> str:
    if ascii_only:
        text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    else:
        text = unicodedata.normalize("NFKC", name)
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:60].strip("-") or "partner"


def _filename(assessment: Assessment, what: str, extension: str) -> tuple[str, str]:
    """(ASCII fallback, Unicode name) of the download, after RFC 6266."""
    name = assessment.partner.name

    def build(slug: str) -> str:
        return f"fitcheck-{slug}-{assessment.id}-{what}.{extension}"

    return build(_slug(name, ascii_only=True)), build(_slug(name, ascii_only=False))


def _download(body: bytes, content_type: str, filename: tuple[str, str]) -> Response:
    fallback, unicode_name = filename
    disposition = f'attachment; filename="{fallback}"'
    if unicode_name != fallback:
        disposition += f"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = disposition
    return response
