"""A workspace's own settings, kept by its owners."""

from __future__ import annotations

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Workspace
from . import ServiceError, check_length


def rename_workspace(workspace: Workspace, name: str) -> Workspace:
    name = name.strip()
    if not name:
        raise ServiceError(_l("Give the workspace a name."), "name")
    check_length(name, limits.WORKSPACE_NAME, "name", _l("The workspace name"))
    workspace.name = name
    db.session.commit()
    return workspace
