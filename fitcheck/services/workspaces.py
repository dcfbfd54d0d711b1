"""A workspace's own settings, kept by its owners: its name, the language its exports name
their columns in, and the currency of its amounts."""

from __future__ import annotations

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Workspace
from ..models.accounts import WORKSPACE_LANGUAGES
from ..money import CURRENCIES
from . import ServiceError, check_length


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ServiceError(_l("Give the workspace a name."), "name")
    check_length(name, limits.WORKSPACE_NAME, "name", _l("The workspace name"))
    return name


def rename_workspace(workspace: Workspace, name: str) -> Workspace:
    workspace.name = _checked_name(name)
    db.session.commit()
    return workspace


def save_settings(workspace: Workspace, *, name: str, language: str, currency: str) -> Workspace:
    """The settings page's one save: name, language and currency together, or none of them.

    The form offers only the languages and currencies allowed; a caller that skips it
    (the CLI, a crafted request) is refused here, field by field, before the check
    constraints of the table would refuse it with an error page.
    """
    checked = _checked_name(name)
    if language not in WORKSPACE_LANGUAGES:
        raise ServiceError(_l("Choose one of the offered languages."), "language")
    if currency not in CURRENCIES:
        raise ServiceError(_l("Choose one of the offered currencies."), "currency")
    workspace.name, workspace.language, workspace.currency = checked, language, currency
    db.session.commit()
    return workspace
