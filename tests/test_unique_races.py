"""A unique name taken by another request between a service's check and its write.

Each test lets the service's own check pass, then writes the conflicting row from another
connection, as a second request at the same moment would, before the service writes. The
unique key refuses the row; the service answers with the same Conflict its check gives: a
409 from the API, a field error on the form with every value kept, nothing half-written,
and the session still serving queries.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select

from fitcheck.extensions import db
from fitcheck.models import Contact, Outcome, Partner, Trait, TraitSet
from fitcheck.services import Conflict, api_tokens
from fitcheck.services import outcomes as outcome_service
from fitcheck.services import partners as partner_service
from fitcheck.services import traits as trait_service

from .support import csrf_token


@pytest.fixture
def owner(make_user, sign_in):
    user = make_user("o@example.com")
    sign_in("o@example.com")
    return user


@pytest.fixture
def bearer(owner) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_tokens.create_token(owner, 'Tests')[1]}"}


def _post(client, url, data, form_url=None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)})


def _count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)))


def _field_error(page: str, field: str) -> str:
    """The error the form shows under `field` (the forms macro's `<id>-error`)."""
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"no error shown on {field}"
    return html.unescape(match.group(1)).strip()


def race(
    monkeypatch: pytest.MonkeyPatch, module: Any, check: str, write: Callable[[Connection], Any]
) -> list[int]:
    """Replace `module.check` by one that passes as the original does, then lets another
    connection `write` and commit, once: the row the service's write then runs into.
    Returns a list that counts the checks run."""
    original = getattr(module, check)
    calls: list[int] = []

    def racing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        found = original(*args, **kwargs)
        if len(calls) == 1:
            with db.engine.begin() as other_request:
                write(other_request)
        return found

    monkeypatch.setattr(module, check, racing)
    return calls


def _partner_row(workspace_id: int, name: str) -> Callable[[Connection], Any]:
    return lambda other: other.execute(insert(Partner).values(workspace_id=workspace_id, name=name))


# --------------------------------------------------------------------------------------------
# Partners
# --------------------------------------------------------------------------------------------


def test_api_create_partner_race_is_a_clean_409(client, owner, bearer, monkeypatch):
    checks = race(
        monkeypatch,
        partner_service,
        "_check_unique_partner",
        _partner_row(owner.workspace_id, "Kyoto Ceramics"),
    )
    response = client.post("/api/v1/partners", json={"name": "Kyoto Ceramics"}, headers=bearer)
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["message"] == "A partner with this name already exists."
    assert len(checks) == 2  # before the write, and again once the unique key refused it
    assert _count(Partner, Partner.name == "Kyoto Ceramics") == 1
    again = client.post("/api/v1/partners", json={"name": "Kyoto Glass"}, headers=bearer)
    assert again.status_code == 201


def test_web_create_partner_race_is_a_field_error_keeping_values(client, owner, monkeypatch):
    race(
        monkeypatch,
        partner_service,
        "_check_unique_partner",
        _partner_row(owner.workspace_id, "Aozora Design"),
    )
    typed = {"name": "Aozora Design", "website": "https://aozora.example", "notes": "Met at expo"}
    response = _post(client, "/partners/new", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _field_error(page, "name") == "A partner with this name already exists."
    assert 'value="Aozora Design"' in page and 'value="https://aozora.example"' in page
    assert "Met at expo" in page
    assert _count(Partner) == 1
    assert db.session.scalar(select(Partner.website)) == ""  # the other request's row, as it was


def test_web_rename_partner_race_changes_nothing(client, owner, make_partner, monkeypatch):
    partner = make_partner(owner.workspace, "Old Name")
    race(
        monkeypatch,
        partner_service,
        "_check_unique_partner",
        _partner_row(owner.workspace_id, "New Name"),
    )
    url = f"/partners/{partner.id}/edit"
    response = _post(client, url, {"name": "New Name", "notes": "Typed notes"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _field_error(page, "name") == "A partner with this name already exists."
    assert 'value="New Name"' in page and "Typed notes" in page
    db.session.refresh(partner)
    assert (partner.name, partner.notes) == ("Old Name", "")
    monkeypatch.undo()
    assert _post(client, url, {"name": "Newer Name"}).status_code == 302


def test_service_rename_race_leaves_the_session_usable(app, owner, make_partner, monkeypatch):
    partner = make_partner(owner.workspace, "Old Name")
    race(
        monkeypatch,
        partner_service,
        "_check_unique_partner",
        _partner_row(owner.workspace_id, "Taken"),
    )
    with pytest.raises(Conflict) as raised:
        partner_service.update_partner(partner, name="Taken", notes="half")
    assert raised.value.field == "name"
    assert (partner.name, partner.notes) == ("Old Name", "")  # read again after the rollback
    assert _count(Partner) == 2
    monkeypatch.undo()
    assert partner_service.update_partner(partner, name="Free").name == "Free"


def test_web_contact_race_is_a_field_error(client, owner, make_partner, monkeypatch):
    partner = make_partner(owner.workspace)
    race(
        monkeypatch,
        partner_service,
        "_check_new_contact",
        lambda other: other.execute(
            insert(Contact).values(
                workspace_id=owner.workspace_id,
                partner_id=partner.id,
                name="Other request",
                email="mei@aozora.example",
            )
        ),
    )
    response = _post(
        client,
        f"/partners/{partner.id}/contacts",
        {"name": "Aoki Mei", "email": "MEI@aozora.example", "title": "Brand"},
        f"/partners/{partner.id}",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _field_error(page, "email") == "This contact is already listed."
    assert 'value="Aoki Mei"' in page and 'value="Brand"' in page
    assert db.session.scalars(select(Contact.name)).all() == ["Other request"]


# --------------------------------------------------------------------------------------------
# Trait sets
# --------------------------------------------------------------------------------------------

SET_FORM = {
    "scale_lo": 1,
    "scale_hi": 4,
    "point_labels_en": "No\nA little\nMostly\nFully",
    "point_labels_ja": "いいえ\n少し\nほぼ\n完全に",
}


def _set_row(workspace_id: int, name: str) -> Callable[[Connection], Any]:
    return lambda other: other.execute(
        insert(TraitSet).values(
            workspace_id=workspace_id,
            name=name,
            scale_lo=1,
            scale_hi=5,
            point_labels={"en": list("12345"), "ja": list("12345")},
        )
    )


def test_web_create_trait_set_race_is_a_field_error(client, owner, monkeypatch):
    race(monkeypatch, trait_service, "_check_unique_name", _set_row(owner.workspace_id, "Agency"))
    before = _count(TraitSet)
    response = _post(client, "/trait-sets/new", {"name": "Agency", **SET_FORM})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _field_error(page, "name") == "A trait set with this name already exists."
    assert 'value="Agency"' in page and "A little\nMostly" in page
    assert _count(TraitSet) == before + 1  # the other request's set only
    assert db.session.scalar(select(TraitSet.scale_hi).where(TraitSet.name == "Agency")) == 5


def test_web_rename_trait_set_race_changes_nothing(client, owner, monkeypatch):
    trait_set = trait_service.create_trait_set(
        owner.workspace_id,
        name="Mine",
        scale_lo=1,
        scale_hi=5,
        point_labels={"en": list("12345"), "ja": list("12345")},
    )
    race(monkeypatch, trait_service, "_check_unique_name", _set_row(owner.workspace_id, "Theirs"))
    response = _post(client, f"/trait-sets/{trait_set.id}", {"name": "Theirs", **SET_FORM})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _field_error(page, "name") == "A trait set with this name already exists."
    db.session.refresh(trait_set)
    assert (trait_set.name, trait_set.scale_hi) == ("Mine", 5)


# --------------------------------------------------------------------------------------------
# Outcome periods
# --------------------------------------------------------------------------------------------


def _outcome_row(partner: Partner, period: str) -> Callable[[Connection], Any]:
    workspace_id, partner_id = partner.workspace_id, partner.id
    return lambda other: other.execute(
        insert(Outcome).values(
            workspace_id=workspace_id,
            partner_id=partner_id,
            period=period,
            observed_on=date(2025, 1, 1),
            satisfaction=3,
        )
    )


def test_api_record_outcome_race_is_a_clean_409(client, owner, bearer, make_partner, monkeypatch):
    partner = make_partner(owner.workspace)
    race(monkeypatch, outcome_service, "_find", _outcome_row(partner, "2025"))
    url = f"/api/v1/partners/{partner.id}/outcomes/2025"
    body = {"observed_on": "2025-12-31", "satisfaction": 9}
    response = client.put(url, json=body, headers=bearer)
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["message"] == (
        "The outcome of this period is being recorded by another request."
    )
    assert db.session.scalars(select(Outcome.satisfaction)).all() == [3]  # not overwritten
    monkeypatch.undo()
    assert client.put(url, json=body, headers=bearer).status_code == 200  # now a replace


def test_web_record_outcome_race_is_a_field_error(client, owner, make_partner, monkeypatch):
    partner = make_partner(owner.workspace)
    race(monkeypatch, outcome_service, "_find", _outcome_row(partner, "2025-H1"))
    typed = {"period": "2025-H1", "observed_on": "2025-06-30", "satisfaction": "8", "note": "Kept"}
    response = _post(
        client, f"/outcomes/partners/{partner.id}/new", typed, f"/partners/{partner.id}"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _field_error(page, "period") == (
        "The outcome of this period is being recorded by another request."
    )
    assert 'value="2025-H1"' in page and 'value="2025-06-30"' in page and 'value="8"' in page
    assert "Kept" in page
    assert db.session.scalars(select(Outcome.satisfaction)).all() == [3]


def test_web_edit_outcome_period_race_changes_nothing(client, owner, make_partner, monkeypatch):
    partner = make_partner(owner.workspace)
    outcome, _ = outcome_service.record_outcome(
        partner, period="2024", observed_on=date(2024, 12, 31), satisfaction=6
    )
    race(monkeypatch, outcome_service, "_find", _outcome_row(partner, "2025"))
    url = f"/outcomes/{outcome.id}/edit"
    response = _post(client, url, {"period": "2025", "observed_on": "2025-01-31", "note": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _field_error(page, "period") == "An outcome for this period is recorded already."
    assert 'value="2025"' in page and 'value="2025-01-31"' in page
    db.session.refresh(outcome)
    assert (outcome.period, outcome.satisfaction, outcome.note) == ("2024", 6, "")
    assert _count(Outcome) == 2


def test_import_race_writes_no_row(client, owner, make_partner, monkeypatch):
    partner = make_partner(owner.workspace, "Aozora")
    make_partner(owner.workspace, "Kitahama")
    # The file's outcomes are looked for first; the other request records 2025 just after.
    race(monkeypatch, outcome_service, "_apply", _outcome_row(partner, "2025"))
    content = (
        b"partner,period,observed_on,satisfaction\n"
        b"Kitahama,2025,2025-12-31,7\n"
        b"Aozora,2025,2025-12-31,8\n"
    )
    with pytest.raises(Conflict) as raised:
        outcome_service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    assert "row 3" in str(raised.value.message) and raised.value.field == "file"
    assert db.session.scalars(select(Outcome.satisfaction)).all() == [3]
    monkeypatch.undo()
    report = outcome_service.import_outcomes_csv(owner.workspace_id, content, recorded_by_id=None)
    assert (report.created, report.updated) == (1, 1)


def test_two_traits_of_one_label_at_once_get_two_keys(app, owner, monkeypatch):
    trait_set = trait_service.create_trait_set(
        owner.workspace_id,
        name="Raced",
        scale_lo=1,
        scale_hi=5,
        point_labels={"en": list("12345"), "ja": list("12345")},
    )
    text = trait_service.TraitText(
        label_en="Quick response",
        label_ja="迅速な対応",
        question_other_en="{partner}?",
        question_other_ja="{partner}?",
        question_self_en="we?",
        question_self_ja="we?",
    )
    set_id, workspace_id = trait_set.id, trait_set.workspace_id

    def other_request(connection: Connection) -> Any:
        return connection.execute(
            insert(Trait).values(
                workspace_id=workspace_id,
                trait_set_id=set_id,
                key="quick_response",
                position=0,
                label_en="Quick response",
                label_ja="迅速な対応",
                description_en="",
                description_ja="",
                question_other_en="{partner}?",
                question_other_ja="{partner}?",
                question_self_en="we?",
                question_self_ja="we?",
            )
        )

    checks = race(monkeypatch, trait_service, "_free_key", other_request)
    trait = trait_service.add_trait(trait_set, text)
    assert len(checks) == 2  # found free, refused by the key, found the next one
    assert trait.key == "quick_response_2"
    keys = db.session.scalars(select(Trait.key).where(Trait.trait_set_id == set_id)).all()
    assert sorted(keys) == ["quick_response", "quick_response_2"]
