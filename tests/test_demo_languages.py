"""The demo speaks English and Japanese: a member's choice of language rewrites the demo's
own texts, and nothing anyone typed, nor any other workspace."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from sqlalchemy import String, select

from fitcheck import limits
from fitcheck.extensions import db
from fitcheck.models import (
    Answer,
    Assessment,
    Commitment,
    Contact,
    Outcome,
    Partner,
    Respondent,
    User,
    Workshop,
    WorkshopAction,
    WorkshopCluster,
    WorkshopNote,
    WorkshopParticipant,
    Workspace,
)
from fitcheck.services import accounts, demo, demo_text
from fitcheck.services.demo_plans import (
    DEMO_WORKSPACE,
    GENERATED_PLANS,
    LANGUAGES,
    PLANS,
    Words,
)
from fitcheck.services.outcome_rules import MAX_NOTE

from .support import count_queries, csrf_token

MODELS = (
    Workspace,
    User,
    Partner,
    Contact,
    Assessment,
    Respondent,
    Answer,
    Commitment,
    Outcome,
    Workshop,
    WorkshopParticipant,
    WorkshopNote,
    WorkshopCluster,
    WorkshopAction,
)
# Text columns that hold no words: secrets, addresses, a person's language choice, the
# language a workshop was held in (a fact of its day).
NOT_WORDS = {"token_nonce", "token_hash", "password_hash", "email", "locale", "language"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
AOZORA, KITAHAMA, MINATO = PLANS
# The longest a Text column of the demo's may hold, by the rule its door applies.
TEXT_LIMITS = {
    "partners.notes": limits.PARTNER_NOTES,
    "answers.comment": limits.COMMENT,
    "commitments.action": limits.COMMITMENT_ACTION,
    "workshop_actions.text": limits.COMMITMENT_ACTION,  # it becomes a commitment's action
    "outcomes.note": MAX_NOTE,
}


def _texts(workspace_id: int) -> dict[str, list[Any]]:
    """Every text column of the workspace's rows that holds words, in the rows' order."""
    found = {}
    for model in MODELS:
        columns = [
            column
            for column in model.__table__.columns
            if isinstance(column.type, String) and column.name not in NOT_WORDS
        ]
        scope = model.id if model is Workspace else model.workspace_id
        rows = db.session.execute(
            select(*columns).where(scope == workspace_id).order_by(model.id)
        ).all()
        for index, column in enumerate(columns):
            found[f"{model.__tablename__}.{column.name}"] = [row[index] for row in rows]
    return found


def _edit_times(workspace_id: int) -> list[Any]:
    """When each promise and answer was last edited."""
    return [
        *db.session.execute(
            select(Commitment.id, Commitment.updated_at)
            .where(Commitment.workspace_id == workspace_id)
            .order_by(Commitment.id)
        ),
        *db.session.execute(
            select(Answer.id, Answer.updated_at)
            .where(Answer.workspace_id == workspace_id)
            .order_by(Answer.id)
        ),
    ]


def _demo_owner() -> User:
    return db.session.scalar(select(User).where(User.email == demo.DEMO_EMAIL))


def _partner(workspace_id: int, name: str) -> Partner:
    return db.session.scalar(
        select(Partner).where(Partner.workspace_id == workspace_id, Partner.name == name)
    )


# The wordings themselves, without an app.


def test_each_demo_column_has_one_wording_per_language_for_each_text():
    for demo_column in demo_text.COLUMNS:
        name = demo_column.column.key
        english = [words.en for words in demo_column.words]
        japanese = [words.ja for words in demo_column.words]
        assert len(set(english)) == len(english), f"{name}: one English, two Japanese"
        assert len(set(japanese)) == len(japanese), f"{name}: one Japanese, two English"
        assert not set(english) & set(japanese), f"{name}: a text in both languages"
        for words in demo_column.words:
            assert words.strip() and JAPANESE.search(words.ja), (name, words)
            assert not JAPANESE.search(words.en), (name, words)
        for language in LANGUAGES:
            assert len(demo_column.mapping(language)) == len(demo_column.words)


def test_every_demo_wording_fits_its_column():
    for demo_column in demo_text.COLUMNS:
        column = demo_column.column.property.columns[0]
        longest = column.type.length or TEXT_LIMITS[f"{column.table.name}.{column.name}"]
        for words in demo_column.words:
            for language in LANGUAGES:
                assert len(words.text(language)) <= longest, (column, words)


def test_words_are_their_english_and_know_their_japanese():
    words = Words("Kitahama Foods", "北浜フーズ株式会社")
    assert words == "Kitahama Foods" and words.ja == "北浜フーズ株式会社"
    assert type(words.text("en")) is str and words.text("ja") == "北浜フーズ株式会社"
    copied = copy.deepcopy(words)
    assert (copied, copied.ja) == (words, words.ja)
    with pytest.raises(ValueError, match="not 'fr'"):
        words.text("fr")


# On the database.


def test_loading_in_japanese_is_loading_in_english_then_choosing_japanese(app):
    """Every text the demo writes is one the switch knows: the two ways agree in full."""
    workspace, _created = demo.load_demo("en")
    english = _texts(workspace.id)
    accounts.set_locale(_demo_owner(), "ja")
    switched = _texts(workspace.id)
    assert switched != english
    db.session.delete(db.session.get(Workspace, workspace.id))
    db.session.commit()

    workspace, created = demo.load_demo("ja")
    assert created
    assert _texts(workspace.id) == switched
    assert workspace.name == "【デモ】浜松クリエイティブワークス"
    assert _partner(workspace.id, "北浜フーズ株式会社") is not None


def test_switching_round_trips_exactly_and_keeps_what_people_typed(app):
    workspace, _created = demo.load_demo("en")
    owner = _demo_owner()
    ws = workspace.id
    # What members typed: a partner renamed, a promise and a comment reworded, a contact's
    # title changed, and a new partner with the name Kitahama Foods has in Japanese.
    _partner(ws, AOZORA.name).name = "Aozora Design (renamed)"
    kitahama = _partner(ws, KITAHAMA.name)
    first_round = min(kitahama.assessments, key=lambda a: a.id)
    edited_promise = first_round.commitments[0]
    edited_promise.action = "Reply within a day, and say who is on it."
    edited_comment = db.session.scalar(
        select(Answer).where(Answer.workspace_id == ws, Answer.comment != "").order_by(Answer.id)
    )
    edited_comment.comment = edited_comment.comment + " (added by hand)"
    db.session.scalar(
        select(Contact).where(Contact.workspace_id == ws, Contact.name == "Kitagawa Sho")
    ).title = "Head of marketing"
    db.session.add(Partner(workspace_id=ws, name=KITAHAMA.name.ja))
    db.session.commit()
    typed = {
        "partner": "Aozora Design (renamed)",
        "action": edited_promise.action,
        "comment": edited_comment.comment,
    }
    english = _texts(ws)
    times = _edit_times(ws)

    accounts.set_locale(owner, "ja")
    japanese = _texts(ws)
    for demo_column in demo_text.COLUMNS:
        column = demo_column.column.property.columns[0]
        values = set(japanese[f"{column.table.name}.{column.name}"])
        left = values & {words.en for words in demo_column.words}
        # Kitahama Foods keeps its name: a partner typed by a member already has its
        # Japanese one.
        assert left == ({KITAHAMA.name} if demo_column.column is Partner.name else set())
        assert values & {words.ja for words in demo_column.words}, column
    assert typed["partner"] in japanese["partners.name"]
    assert japanese["partners.name"].count(KITAHAMA.name.ja) == 1
    assert typed["action"] in japanese["commitments.action"]
    assert typed["comment"] in japanese["answers.comment"]
    assert "Head of marketing" in japanese["contacts.title"]
    assert "みなと物流株式会社" in japanese["partners.name"]
    assert "佐藤 遥" in japanese["commitments.owner"]

    accounts.set_locale(owner, "en")
    assert _texts(ws) == english
    assert _edit_times(ws) == times, "a change of language is no edit"


def test_other_workspaces_are_never_rewritten_even_with_the_demos_texts(app, make_user):
    workspace, _created = demo.load_demo("en")
    other = make_user("sato@example.com")
    other.name = "Demo Owner"
    other.workspace.name = DEMO_WORKSPACE
    partner = Partner(workspace_id=other.workspace_id, name=KITAHAMA.name, notes=KITAHAMA.notes)
    db.session.add(partner)
    db.session.flush()
    name, email, title = KITAHAMA.contacts[0]
    db.session.add(
        Contact(
            workspace_id=other.workspace_id,
            partner_id=partner.id,
            name=name,
            email=email,
            title=title,
        )
    )
    db.session.commit()
    theirs, demos = _texts(other.workspace_id), _texts(workspace.id)

    accounts.set_locale(other, "ja")
    assert _texts(other.workspace_id) == theirs
    assert _texts(workspace.id) == demos, "their choice is not the demo's"

    accounts.set_locale(_demo_owner(), "ja")
    assert _texts(other.workspace_id) == theirs
    assert _texts(workspace.id) != demos


def test_a_language_switch_costs_one_update_per_column_whatever_the_rows(app, make_user):
    workspace, _created = demo.load_demo("en")
    english = _texts(workspace.id)
    with count_queries() as statements:
        demo_text.follow_language(workspace.id, "ko")
    assert statements == [] and _texts(workspace.id) == english, "not a language of the demo"
    owner = _demo_owner()  # loaded, as the signed-in user is
    with count_queries() as statements:
        accounts.set_locale(owner, "ja")
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    # The user's own row, then one statement per column the demo writes words into.
    assert len(updates) == len(demo_text.COLUMNS) + 1, updates
    assert len(statements) <= len(demo_text.COLUMNS) + 3, statements

    stranger = make_user()
    db.session.refresh(stranger)
    with count_queries() as statements:
        accounts.set_locale(stranger, "ja")
    assert len(statements) <= 2, statements  # the user's row, and whether it is the demo


def test_the_demo_pages_speak_japanese_once_a_member_chooses_it(app, client, sign_in):
    workspace, _created = demo.load_demo("en")
    token = csrf_token(client, "/sign-in")
    # A visitor's choice before signing in is their session's, not the demo's.
    client.post("/language", data={"locale": "ja", "next": "/sign-in", "csrf_token": token})
    assert _partner(workspace.id, KITAHAMA.name) is not None
    sign_in(demo.DEMO_EMAIL, demo.DEMO_PASSWORD)

    review = max(_partner(workspace.id, KITAHAMA.name).assessments, key=lambda a: a.id)
    results_url = f"/assessments/{review.id}/results"
    with count_queries() as english_queries:
        english_list = client.get("/partners/").get_data(as_text=True)
    english_results = client.get(results_url).get_data(as_text=True)
    # The visitor's Japanese, with the demo's words still in English.
    assert '<html lang="ja">' in english_results and KITAHAMA.name in english_results

    response = client.post(
        "/language",
        data={"locale": "ja", "next": "/partners/", "csrf_token": csrf_token(client, "/partners/")},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/partners/"

    with count_queries() as japanese_queries:
        partners = client.get("/partners/").get_data(as_text=True)
    assert '<html lang="ja">' in partners
    every_plan = PLANS + GENERATED_PLANS
    assert not [plan.name for plan in every_plan if plan.name in partners]
    listed = sum(plan.name in english_list for plan in every_plan)
    assert listed > 0 and sum(plan.name.ja in partners for plan in every_plan) == listed
    assert len(japanese_queries) == len(english_queries), "stored text, no lookup per row"
    for plan in PLANS:
        found = client.get("/partners/", query_string={"q": plan.name.ja}).get_data(as_text=True)
        assert plan.name.ja in found
    page = client.get(results_url).get_data(as_text=True)
    assert "北浜フーズ株式会社" in page and KITAHAMA.name not in page
    since = page.split('id="since"')[1].split("</section>")[0]
    for promise in KITAHAMA.rounds[0].commitments:
        assert promise.action.ja in since and promise.action not in since
    comments = page.split('id="comments-title"')[1].split("</section>")[0]
    for comment in KITAHAMA.rounds[1].comments:
        assert comment.words.ja in comments and comment.words not in comments

    client.post(
        "/language",
        data={"locale": "en", "next": "/partners/", "csrf_token": csrf_token(client, "/partners/")},
    )
    back = client.get(results_url).get_data(as_text=True)
    assert '<html lang="en">' in back and KITAHAMA.name in back and KITAHAMA.name.ja not in back
    assert KITAHAMA.rounds[1].comments[0].words in back


def test_demo_command_loads_in_the_shells_language_and_switches_only_when_asked(app, runner):
    plain = {"LC_ALL": None, "LC_MESSAGES": None}
    loaded = runner.invoke(args=["demo"], env={**plain, "LANG": "ja_JP.UTF-8"})
    assert loaded.exit_code == 0, loaded.output
    assert "【デモ】浜松クリエイティブワークス" in loaded.output
    workspace = demo.find_demo()
    assert _partner(workspace.id, "北浜フーズ株式会社") is not None
    japanese = _texts(workspace.id)

    again = runner.invoke(args=["demo"], env={**plain, "LANG": "en_US.UTF-8"})
    assert again.exit_code == 0 and "Already loaded" in again.output
    assert _texts(workspace.id) == japanese, "a restart keeps the language members chose"

    switched = runner.invoke(args=["demo", "--language", "en"])
    assert switched.exit_code == 0, switched.output
    assert "Hamamatsu Creative Works (demo)" in switched.output
    assert _partner(workspace.id, KITAHAMA.name) is not None

    refused = runner.invoke(args=["demo", "--language", "fr"])
    assert refused.exit_code != 0 and "fr" in refused.output
