"""The whole workspace as a ZIP for its owner: every object in workspace.json, the CSVs of
each revealed round, no secret, nobody's answers attributed, nothing of another workspace."""

from __future__ import annotations

import csv
import io
import itertools
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
from fitcheck.services import api_tokens, assessments, audit, exports, workspace_export
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent
from fitcheck.tokens import hash_token, new_nonce

from .support import count_queries
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


def _answer_and_reveal(assessment: Any, shift: int) -> None:
    for number, respondent in enumerate(assessment.respondents):
        save_answers(
            respondent,
            [
                AnswerInput(
                    trait_key=trait.key,
                    other=1 + (i + number + shift) % 5,
                    self_=1 + (i * shift + number) % 5,
                    importance=1 + (i + shift) % 5,
                )
                for i, trait in enumerate(assessment.traits)
            ],
            submit=True,
        )
    assessments.reveal(assessment)


def test_a_workspace_of_many_rounds_is_exported_in_as_many_statements_as_one_of_one(
    worked_example, make_user
):
    """Each round's files are built from reads of all rounds at once (and the workspace's
    norm read once), not from a `load_round` a round: the statements do not grow with the
    rounds, and each round's files are still its own downloads, its last round and all."""
    made = populate(worked_example, make_user, partner_name="Aozora Design")
    workspace_id = made["owner"].workspace_id
    with count_queries() as statements:
        workspace_export.workspace_archive(workspace_id)
    for_one = len(statements)

    rounds = [made["revealed"]]
    for shift in (1, 2, 3):
        following = assessments.start_next_round(rounds[-1])
        if shift == 3:  # too few clients for this one: its client side is withheld
            following.min_responses_per_side = 2
            db.session.commit()
        assessments.launch(following, invite=False)
        _answer_and_reveal(following, shift)
        rounds.append(following)
    with count_queries() as statements:
        files = unpack(workspace_export.workspace_archive(workspace_id))
    assert len(statements) == for_one <= 25

    for assessment in rounds:
        for what in ("answers", "results"):
            own = exports.FILES[(what, "csv")](assessment)
            assert files[f"assessments/{assessment.id}/{what}.csv"] == own, (assessment.id, what)
    results = {
        assessment.id: list(
            csv.DictReader(
                io.StringIO(files[f"assessments/{assessment.id}/results.csv"].decode("utf-8-sig"))
            )
        )
        for assessment in rounds
    }
    for before, after in itertools.pairwise(rounds):
        assert {row["previous_assessment_id"] for row in results[after.id]} == {str(before.id)}
    # The change since the last round, where both have a mirror score (not the withheld).
    for after in rounds[1:-1]:
        assert all(row["mirror_score_change"] for row in results[after.id])
    assert not any(row["mirror_score_change"] for row in results[rounds[-1].id])
    answers = files[f"assessments/{rounds[-1].id}/answers.csv"].decode("utf-8-sig")
    assert "company-1" in answers and "client-1" not in answers
