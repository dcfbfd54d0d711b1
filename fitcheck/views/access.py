"""Who may open a staff page: any signed-in member, or only the workspace's owners."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

View = TypeVar("View", bound=Callable[..., Any])


def owner_required(view: View) -> View:
    """Members run partners, assessments and results; managing members, roles, the
    workspace's settings, the audit log and every deletion is for owners. A member gets
    403, a signed-out visitor the sign-in page."""

    @wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_owner:
            abort(403)
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]
