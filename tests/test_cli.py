"""`flask create-user`: asks for the password or takes --password; the first user owns."""

from __future__ import annotations

from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Role, User

from .support import PASSWORD


def test_create_user_makes_the_first_user_of_a_workspace_its_owner(runner):
    result = runner.invoke(
        args=["create-user", "Owner@Example.com", "--workspace", "Acme", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    owner = db.session.scalar(select(User).where(User.email == "owner@example.com"))
    assert owner.role is Role.OWNER and owner.workspace.name == "Acme"

    member = runner.invoke(
        args=["create-user", "m@example.com", "--workspace", "Acme"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert member.exit_code == 0, member.output
    user = db.session.scalar(select(User).where(User.email == "m@example.com"))
    assert user.role is Role.MEMBER and user.workspace_id == owner.workspace_id


def test_create_user_refuses_a_taken_email_and_a_short_password(runner):
    runner.invoke(args=["create-user", "a@example.com", "--workspace", "A", "--password", PASSWORD])
    taken = runner.invoke(
        args=["create-user", "a@example.com", "--workspace", "B", "--password", PASSWORD]
    )
    assert taken.exit_code != 0 and "already exists" in taken.output
    short = runner.invoke(
        args=["create-user", "b@example.com", "--workspace", "B", "--password", "x"]
    )
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    assert db.session.scalar(select(User).where(User.email == "b@example.com")) is None
