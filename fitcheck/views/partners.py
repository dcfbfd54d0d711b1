"""The workspace's partners."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..services.partners import list_partners

bp = Blueprint("partners", __name__, url_prefix="/partners")


@bp.get("/")
@login_required
def index() -> str:
    search = request.args.get("q", "")
    page = request.args.get("page", 1, type=int)
    result = list_partners(current_user.workspace_id, search=search, page=page)
    return render_template("partners/index.html", page=result, search=search)
