"""The progress page shows each respondent's mail as queued, sent or failed (with the
reason), and staff can send a failed one again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import MailStatus, OutboxMessage
from fitcheck.services import assessments, outbox

from .smtp import REFUSED, Mailbox, mail_config
from .support import count_queries, csrf_token


@pytest.fixture
def app_config(app_config: dict[str, Any], mailbox: Mailbox) -> dict[str, Any]:
    return {**app_config, **mail_config(mailbox)}


def _launched(make_user: Callable[..., Any], make_assessment: Callable[..., Any], **sizes: int):
    user = make_user("owner@example.com")
    draft, tokens = make_assessment(user, launch=False, **sizes)
    return user, draft, list(tokens)


def test_progress_page_shows_queued_sent_and_failed_mail_with_the_reason(
    app: Flask,
    client: FlaskClient,
    sign_in: Callable[..., Any],
    make_user: Callable[..., Any],
    make_assessment: Callable[..., Any],
) -> None:
    _user, draft, respondents = _launched(make_user, make_assessment, company=2, client=1)
    refused = respondents[1]
    refused.email = REFUSED
    db.session.commit()
    sign_in("owner@example.com")
    assessments.launch(draft, invite=True)

    page = client.get(f"/assessments/{draft.id}").get_data(as_text=True)
    assert page.count(">Queued<") == 3

    outbox.deliver_due()
    page = client.get(f"/assessments/{draft.id}").get_data(as_text=True)
    assert page.count(">Sent<") == 2
    assert page.count(">Failed<") == 1
    assert "The mail server refused this address." in page
    assert "Send again" in page


def test_staff_send_a_failed_mail_again_and_it_keeps_its_message_id(
    app: Flask,
    client: FlaskClient,
    mailbox: Mailbox,
    sign_in: Callable[..., Any],
    make_user: Callable[..., Any],
    make_assessment: Callable[..., Any],
) -> None:
    _user, draft, respondents = _launched(make_user, make_assessment)
    respondents[0].email = REFUSED
    db.session.commit()
    sign_in("owner@example.com")
    assessments.launch(draft, invite=True)
    outbox.deliver_due()
    failed = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.status == MailStatus.FAILED)
    )
    assert failed is not None
    respondents[0].email = "fixed@example.com"  # the address was mistyped
    failed.to_address = "fixed@example.com"
    db.session.commit()

    token = csrf_token(client, f"/assessments/{draft.id}")
    response = client.post(
        f"/assessments/{draft.id}/mail/{failed.id}/resend", data={"csrf_token": token}
    )
    assert response.status_code == 302
    db.session.refresh(failed)
    assert (failed.status, failed.attempts) == (MailStatus.QUEUED, 0)
    outbox.deliver_due()

    assert "fixed@example.com" in mailbox.recipients
    db.session.refresh(failed)
    assert failed.status is MailStatus.SENT


def test_resend_needs_the_csrf_token_and_stays_in_the_workspace(
    app: Flask,
    client: FlaskClient,
    sign_in: Callable[..., Any],
    make_user: Callable[..., Any],
    make_assessment: Callable[..., Any],
) -> None:
    other_owner = make_user("other@example.com")
    theirs, _ = make_assessment(other_owner, launch=False)
    assessments.launch(theirs, invite=True)
    their_mail = db.session.scalar(select(OutboxMessage))
    assert their_mail is not None
    _user, mine, _ = _launched(make_user, make_assessment)
    assessments.launch(mine, invite=True)
    sign_in("owner@example.com")

    token = csrf_token(client, f"/assessments/{mine.id}")
    assert client.post(f"/assessments/{mine.id}/mail/{their_mail.id}/resend").status_code == 400
    wrong_round = client.post(
        f"/assessments/{mine.id}/mail/{their_mail.id}/resend", data={"csrf_token": token}
    )
    assert wrong_round.status_code == 404
    theirs_page = client.post(
        f"/assessments/{theirs.id}/mail/{their_mail.id}/resend", data={"csrf_token": token}
    )
    assert theirs_page.status_code == 404


def test_progress_page_reads_mail_states_in_one_query_whatever_the_size(
    app: Flask,
    client: FlaskClient,
    sign_in: Callable[..., Any],
    make_user: Callable[..., Any],
    make_assessment: Callable[..., Any],
) -> None:
    user = make_user("owner@example.com")
    sign_in("owner@example.com")
    counts = []
    for size in (1, 12):
        draft, _ = make_assessment(user, launch=False, company=size, client=size)
        assessments.launch(draft, invite=True)
        outbox.deliver_due()
        with count_queries() as statements:
            assert client.get(f"/assessments/{draft.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
