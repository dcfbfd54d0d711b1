"""The whole workspace as a ZIP for its owner: every object in workspace.json, the CSVs of
each revealed round, no secret, nobody's answers attributed, nothing of another workspace."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import (
    AuditEvent,
    Commitment,
    Contact,
    MemberInvitation,
    Outcome,
    Respondent,
    Role,
    Side,
    TraitSet,
    User,
    utcnow,
)
from fitcheck.services import api_tokens, assessments, audit, workspace_export
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent
from fitcheck.tokens import hash_token, new_nonce

from .worked_example import PEOPLE

OBJECT_TYPES = (
    "workspace",
    "users",
    "member_invitations",
    "api_tokens",
    "partners",
    "contacts",
    "outcomes",
    "trait_sets",
    "traits",
    "assessments",
    "assessment_traits",
    "respondents",
    "answers",
    "comments",
    "commitments",
    "round_summaries",
    "audit_events",
)


def unpack(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def populate(worked_example: Any, make_user: Any, *, partner_name: str) -> dict[str, Any]:
    """A workspace with one of everything: a revealed round, a round still collecting with a
    draft, a contact, an outcome, a commitment, a member, an invitation and an API token."""
    revealed, owner = worked_example(partner_name=partner_name)
    partner = revealed.partner
    member = make_user(workspace=owner.workspace, role=Role.MEMBER)
    db.session.add_all(
        [
            Contact(
                workspace_id=owner.workspace_id,
                partner_id=partner.id,
                name=f"Contact of {partner_name}",
                email="contact@partner.example",
            ),
            Outcome(
                workspace_id=owner.workspace_id,
                partner_id=partner.id,
                period="FY2026",
                observed_on=date(2026, 3, 31),
                renewed=True,
            ),
            Commitment(
                workspace_id=owner.workspace_id,
                assessment_id=revealed.id,
                trait_id=revealed.traits[0].id,
                side=Side.COMPANY,
                action=f"Answer faster ({partner_name})",
            ),
            MemberInvitation(
                workspace_id=owner.workspace_id,
                email="invitee@example.com",
                token_nonce=new_nonce(),
                token_hash=hash_token(new_nonce()),
                expires_at=utcnow() + timedelta(days=7),
            ),
        ]
    )
    db.session.commit()
    _, secret = api_tokens.create_token(owner, "Exports")
    trait_set = db.session.get(TraitSet, revealed.source_trait_set_id)
    collecting = assessments.create_assessment(partner, trait_set, kind=revealed.kind)
    drafter, _ = add_respondent(
        collecting, side=Side.CLIENT, name="Drafting Dora", email="dora@client.example"
    )
    add_respondent(collecting, side=Side.COMPANY, name="Waiting Walt", email="walt@example.org")
    assessments.launch(collecting, invite=False, actor=owner)
    save_answers(
        drafter,
        [
            AnswerInput(trait_key=trait.key, other=2, self_=5, comment="DRAFT-NOT-FOR-EYES")
            for trait in collecting.traits
        ],
    )
    return {
        "owner": owner,
        "member": member,
        "revealed": revealed,
        "collecting": collecting,
        "secret": secret,
    }


def test_the_zip_holds_every_object_and_each_revealed_rounds_csvs(
    worked_example, make_user, sign_in, client
):
    made = populate(worked_example, make_user, partner_name="Aozora Design")
    owner, revealed, collecting = made["owner"], made["revealed"], made["collecting"]
    sign_in(owner.email)
    response = client.get("/workspace/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="fitcheck-workspace-{owner.workspace_id}-')
    assert disposition.endswith('.zip"')

    files = unpack(response.data)
    assert set(files) == {
        "workspace.json",
        f"assessments/{revealed.id}/answers.csv",
        f"assessments/{revealed.id}/results.csv",
    }
    document = json.loads(files["workspace.json"])
    assert document["format"] == "fitcheck-workspace" and document["version"] == 1
    for key in OBJECT_TYPES:
        assert document[key], key
    assert document["workspace"]["id"] == owner.workspace_id
    assert {user["email"] for user in document["users"]} == {owner.email, made["member"].email}
    assert {a["id"] for a in document["assessments"]} == {revealed.id, collecting.id}
    assert {r["name"] for r in document["respondents"]} >= {PEOPLE["C1"][0], "Drafting Dora"}
    assert document["outcomes"][0]["period"] == "FY2026"
    assert document["outcomes"][0]["observed_on"] == "2026-03-31"
    assert document["commitments"][0]["action"] == "Answer faster (Aozora Design)"
    assert document["round_summaries"][0]["assessment_id"] == revealed.id
    assert any(e["kind"] == "launch" for e in document["audit_events"])

    # The round's files are its own downloads, byte for byte.
    base = f"/assessments/{revealed.id}/export"
    for name in ("answers.csv", "results.csv"):
        assert files[f"assessments/{revealed.id}/{name}"] == client.get(f"{base}/{name}").data

    (exported,) = [
        event
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "export"))
        if event.details.get("scope") == "workspace"
    ]
    assert exported.details == {"format": "zip", "scope": "workspace"}
    assert exported.actor_id == owner.id and exported.ip_address == "127.0.0.1"


def test_answers_appear_only_revealed_and_only_under_opaque_codes(worked_example, make_user):
    made = populate(worked_example, make_user, partner_name="Aozora Design")
    files = unpack(workspace_export.workspace_archive(made["owner"].workspace_id))
    text = files["workspace.json"].decode("utf-8")
    document = json.loads(text)
    assert {row["assessment_id"] for row in document["answers"]} == {made["revealed"].id}
    assert {row["respondent"] for row in document["answers"]} == {
        "company-1",
        "company-2",
        "client-1",
    }
    respondent_ids = {r.id for r in made["revealed"].respondents}
    assert all(row.get("respondent_id") not in respondent_ids for row in document["answers"])
    assert {row["side"] for row in document["comments"]} == {"company", "client"}
    assert "DRAFT-NOT-FOR-EYES" not in text


def test_no_password_hash_token_nonce_or_token_hash_anywhere(worked_example, make_user):
    made = populate(worked_example, make_user, partner_name="Aozora Design")
    workspace_id = made["owner"].workspace_id
    body = workspace_export.workspace_archive(workspace_id)
    everything = b"".join(unpack(body).values())
    secrets = [made["secret"], made["secret"][12:]]
    for user in db.session.scalars(select(User).where(User.workspace_id == workspace_id)):
        secrets += [user.password_hash, user.password_hash.rsplit("$", 1)[-1]]
    for respondent in db.session.scalars(
        select(Respondent).where(Respondent.workspace_id == workspace_id)
    ):
        secrets += [respondent.token_nonce, respondent.token_hash]
    for invitation in db.session.scalars(select(MemberInvitation)):
        secrets += [invitation.token_nonce, invitation.token_hash]
    secrets += [token.token_hash for token in api_tokens.list_tokens(made["owner"])]
    assert len(secrets) > 10
    for secret in secrets:
        assert secret.encode("utf-8") not in everything, secret
    for column in ("password_hash", "token_nonce", "token_hash"):
        assert column.encode("ascii") not in everything


def test_nothing_of_another_workspace_is_in_it(worked_example, make_user):
    ours = populate(worked_example, make_user, partner_name="Aozora Design")
    theirs = populate(worked_example, make_user, partner_name="Kitahama Foods")
    audit.record(audit.Kind.DELETE, workspace_id=theirs["owner"].workspace_id, subject="Theirs")
    db.session.commit()
    files = unpack(workspace_export.workspace_archive(ours["owner"].workspace_id))
    everything = b"".join(files.values()).decode("utf-8")
    assert "Aozora Design" in everything
    assert "Kitahama Foods" not in everything
    assert theirs["owner"].email not in everything
    assert theirs["member"].email not in everything
    assert f"assessments/{theirs['revealed'].id}/answers.csv" not in files
    document = json.loads(files["workspace.json"])
    for key in OBJECT_TYPES[1:]:
        for row in document[key]:
            if "workspace_id" in row:
                assert row["workspace_id"] == ours["owner"].workspace_id, key


def test_formula_text_stays_neutralised_in_the_zips_csvs(worked_example, make_user):
    made = populate(worked_example, make_user, partner_name='=HYPERLINK("http://evil.example")')
    files = unpack(workspace_export.workspace_archive(made["owner"].workspace_id))
    rows = list(
        csv.DictReader(
            io.StringIO(files[f"assessments/{made['revealed'].id}/results.csv"].decode("utf-8-sig"))
        )
    )
    assert rows and all(row["partner"] == "'" + made["revealed"].partner.name for row in rows)
