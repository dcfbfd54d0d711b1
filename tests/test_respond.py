"""The respondent's side: the personal link, the survey, drafts, submit, decline, and the
pages a link leads to when there is nothing to answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from fitcheck.extensions import db
from fitcheck.forms import build_survey_form
from fitcheck.models import Answer, Kind, Respondent, Side, TraitSet, utcnow
from fitcheck.services import ServiceError, assessments, responses, traits
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent, withdraw_respondent

from .support import csrf_token

EXPIRED_CSRF = "expired-or-forged"


@pytest.fixture
def survey(make_assessment):
    """A launched assessment (ten default traits) with its company and client respondent."""
    assessment, tokens = make_assessment(deadline=utcnow() + timedelta(days=14))
    by_side = {respondent.side: (respondent, token) for respondent, token in tokens.items()}
    return assessment, by_side[Side.COMPANY], by_side[Side.CLIENT]


def _keys(assessment):
    return [trait.key for trait in assessment.traits]


def _filled(assessment, value="3", **extra):
    """Every trait answered on both sides, as the form posts it."""
    data = {}
    for key in _keys(assessment):
        data[f"{key}-other"] = value
        data[f"{key}-self"] = value
        data[f"{key}-importance"] = "4"
        data[f"{key}-comment"] = f"note on {key}"
    data.update(extra)
    return data


def _post(client, token, data, *, action="save", path="answers"):
    url = f"/r/{token}/{path}"
    return client.post(url, data={**data, "action": action, "csrf_token": csrf_token(client, url)})


def _page(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def _checked(page, name, value):
    return re.search(rf'<input checked [^>]*name="{name}" type="radio" value="{value}"', page)


def _answer_rows(respondent):
    return db.session.scalar(
        select(func.count(Answer.id)).where(Answer.respondent_id == respondent.id)
    )


def _reload(respondent):
    return db.session.get(Respondent, respondent.id)


def test_intro_explains_the_mirror_who_sees_what_and_names_both_sides(client, survey):
    assessment, (_, token), _ = survey
    status, page = _page(client, f"/r/{token}")
    assert status == 200
    assert "people are mirrors of each other" in page
    assert "Your name is never shown next to your answers" in page
    assert "grouped by trait and side" in page
    assert "at least 1 person of that side has answered" in page
    assert "About 10 minutes" in page
    workspace = assessment.partner.workspace.name
    assert re.search(rf"You answer for</dt>\s*<dd>{re.escape(workspace)}</dd>", page)
    assert re.search(rf"The other side</dt>\s*<dd>{re.escape(assessment.partner.name)}</dd>", page)
    assert "(Japan Time)" in page  # the deadline, its zone named in words
    assert f'href="/r/{token}/answers"' in page


def test_client_side_rates_the_workspace_and_partner_text_is_escaped(
    client, make_user, make_partner
):
    user = make_user()
    partner = make_partner(user.workspace, '<script>alert("x")</script> Co')
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    assessment = assessments.create_assessment(partner, trait_set, kind=Kind.PRE_CONTRACT)
    _, company_token = add_respondent(assessment, side=Side.COMPANY, name="Sato")
    _, client_token = add_respondent(assessment, side=Side.CLIENT, name="Aoki")
    assessments.launch(assessment, invite=False)

    _, company_page = _page(client, f"/r/{company_token}/answers")
    assert "<script>alert" not in company_page
    assert (
        "How strongly does &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Co put" in company_page
    )

    _, client_page = _page(client, f"/r/{client_token}/answers")
    workspace = user.workspace.name
    assert f"How strongly does {workspace} put genuine heart" in client_page
    assert (
        f"You answer for &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Co about {workspace}"
        in (client_page)
    )


def test_form_renders_one_block_per_trait_with_scale_labels_and_cant_judge(client, survey):
    assessment, (_, token), _ = survey
    status, page = _page(client, f"/r/{token}/answers")
    assert status == 200
    assert page.count('class="card fc-trait') == 10
    first = assessment.traits[0]
    assert f'<fieldset class="card fc-trait mb-4" id="trait-{first.key}">' in page
    for name in ("other", "self", "importance"):
        assert f'name="{first.key}-{name}" type="radio"' in page
    assert f'name="{first.key}-comment"' in page and 'maxlength="2000"' in page
    assert "Not at all" in page and "Very strongly" in page and "Can&#39;t judge" in page
    assert "Not important" in page and "Essential" in page
    assert re.search(r'<script src="/assets/respond\.[0-9a-f]{16}\.js" defer>', page)
    assert "<script>" not in page  # no inline script: the CSP allows only our files


def test_intro_and_form_render_in_japanese(client, survey):
    assessment, (_, token), _ = survey
    headers = {"Accept-Language": "ja"}
    intro = client.get(f"/r/{token}", headers=headers).get_data(as_text=True)
    assert '<html lang="ja">' in intro
    form = client.get(f"/r/{token}/answers", headers=headers).get_data(as_text=True)
    first = assessment.traits[0]
    assert '<html lang="ja">' in form
    assert first.label_ja in form
    assert "まったく当てはまらない" in form  # the scale's own Japanese point labels
    assert first.question_other_ja.replace("{partner}", assessment.partner.name) in form


def test_language_switch_persists_on_the_respondent_and_keeps_typed_answers(app, client, survey):
    assessment, (company, token), _ = survey
    key = _keys(assessment)[0]
    data = {f"{key}-other": "2", f"{key}-comment": "typed before switching"}
    response = client.post(
        f"/r/{token}/answers",
        data={**data, "locale": "ja", "csrf_token": csrf_token(client, f"/r/{token}/answers")},
    )
    assert response.status_code == 302
    assert _reload(company).locale == "ja"
    assert (
        db.session.scalar(
            select(Answer.comment)
            .where(Answer.respondent_id == company.id)
            .where(Answer.trait_id == assessment.traits[0].id)
        )
        == "typed before switching"
    )
    # Another browser, no session, English preferred: the respondent's choice wins.
    fresh = app.test_client()
    page = fresh.get(f"/r/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ja">' in page
    back = fresh.post(
        f"/r/{token}/language",
        data={
            "locale": "en",
            "next": f"/r/{token}",
            "csrf_token": csrf_token(fresh, f"/r/{token}"),
        },
    )
    assert back.status_code == 302 and back.headers["Location"] == f"/r/{token}"
    assert _reload(company).locale == "en"


def test_language_switch_never_redirects_off_the_link(client, survey):
    _, (_, token), _ = survey
    response = client.post(
        f"/r/{token}/language",
        data={
            "locale": "ja",
            "next": "//evil.example/",
            "csrf_token": csrf_token(client, f"/r/{token}"),
        },
    )
    assert response.headers["Location"] == f"/r/{token}"


def test_opening_the_link_is_recorded_once(client, survey):
    _, (company, token), _ = survey
    assert company.opened_at is None
    client.get(f"/r/{token}")
    first = _reload(company).opened_at
    assert first is not None
    client.get(f"/r/{token}/answers")
    assert _reload(company).opened_at == first


def test_draft_save_keeps_values_and_comes_back_through_the_same_link(app, client, survey):
    assessment, (company, token), _ = survey
    first, second = _keys(assessment)[:2]
    data = {
        f"{first}-other": "4",
        f"{first}-self": "na",
        f"{first}-importance": "5",
        f"{first}-comment": "Half done <b>for now</b>",
    }
    response = _post(client, token, data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{token}/answers"
    assert "Saved at" in client.get(response.headers["Location"]).get_data(as_text=True)
    saved = _reload(company)
    assert saved.draft_saved_at is not None and saved.submitted_at is None

    _, page = _page(app.test_client(), f"/r/{token}/answers")  # coming back later, elsewhere
    assert _checked(page, f"{first}-other", "4")
    assert _checked(page, f"{first}-self", "na")
    assert _checked(page, f"{first}-importance", "5")
    assert "Half done &lt;b&gt;for now&lt;/b&gt;</textarea>" in page
    assert not _checked(page, f"{second}-other", r"\w+")
    assert "Continue" in app.test_client().get(f"/r/{token}").get_data(as_text=True)


def test_autosave_answers_json_with_the_time_saved(client, survey):
    assessment, (company, token), _ = survey
    key = _keys(assessment)[0]
    response = client.post(
        f"/r/{token}/autosave",
        data={f"{key}-other": "5", "csrf_token": csrf_token(client, f"/r/{token}/answers")},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert datetime.fromisoformat(body["saved_at"]) == _reload(company).draft_saved_at
    assert body["message"].startswith("Saved at")
    row = db.session.scalar(select(Answer).where(Answer.respondent_id == company.id))
    assert row.other_rating == 5


def test_autosaves_leave_the_session_cookie_alone(client, survey):
    """The page's own form may be on its way while an autosave is: an autosave that
    rewrote the session cookie could wipe the "Saved" notice that form's answer set."""
    assessment, (_company, token), _ = survey
    key = _keys(assessment)[0]
    data = {f"{key}-other": "5", "csrf_token": csrf_token(client, f"/r/{token}/answers")}
    for value in ("5", "4"):
        response = client.post(f"/r/{token}/autosave", data={**data, f"{key}-other": value})
        assert response.status_code == 200
        assert response.headers.getlist("Set-Cookie") == []


def test_autosave_reports_errors_as_json_and_writes_nothing(client, survey):
    assessment, (company, token), _ = survey
    key = _keys(assessment)[0]
    response = client.post(
        f"/r/{token}/autosave",
        data={f"{key}-other": "9", "csrf_token": csrf_token(client, f"/r/{token}/answers")},
    )
    assert response.status_code == 422
    assert f"{key}-other" in response.get_json()["errors"]
    assert _answer_rows(company) == 0


def test_autosave_with_an_expired_csrf_token_hands_a_fresh_one_and_saves_nothing(client, survey):
    assessment, (company, token), _ = survey
    csrf_token(client, f"/r/{token}/answers")
    key = _keys(assessment)[0]
    response = client.post(
        f"/r/{token}/autosave", data={f"{key}-other": "5", "csrf_token": EXPIRED_CSRF}
    )
    assert response.status_code == 400
    body = response.get_json()
    assert "csrf_token" in body["errors"] and body["csrf_token"]
    assert _answer_rows(company) == 0
    retried = client.post(
        f"/r/{token}/autosave", data={f"{key}-other": "5", "csrf_token": body["csrf_token"]}
    )
    assert retried.status_code == 200
    assert _answer_rows(company) == 10


def _rows(respondent):
    """The respondent's stored answers by trait key."""
    keys = {trait.id: trait.key for trait in respondent.assessment.traits}
    rows = db.session.scalars(select(Answer).where(Answer.respondent_id == respondent.id))
    return {keys[row.trait_id]: row for row in rows}


def test_a_first_submit_with_a_trait_missing_keeps_what_was_typed_as_a_draft(app, client, survey):
    assessment, (company, token), _ = survey
    first, second = _keys(assessment)[:2]
    data = _filled(assessment)
    del data[f"{second}-self"]
    data[f"{first}-comment"] = "Keep me, please"
    response = _post(client, token, data, action="submit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Some answers need your attention" in page
    assert "saved as a draft, not submitted yet" in page
    assert f'href="#trait-{second}"' in page
    assert re.search(rf'id="{second}-self-error">Rate this, or choose “can&#39;t judge”.<', page)
    assert _checked(page, f"{first}-other", "3") and _checked(page, f"{second}-other", "3")
    assert "Keep me, please</textarea>" in page
    saved = _reload(company)
    assert saved.submitted_at is None and saved.draft_saved_at is not None
    rows = _rows(company)
    assert set(rows) == set(_keys(assessment))
    assert rows[first].comment == "Keep me, please"
    assert rows[second].other_rating == 3 and rows[second].self_rating is None

    # The respondent leaves, and comes back later through the link, elsewhere.
    _, again = _page(app.test_client(), f"/r/{token}/answers")
    assert _checked(again, f"{first}-other", "3") and _checked(again, f"{second}-other", "3")
    assert not _checked(again, f"{second}-self", r"\w+")
    assert "Keep me, please</textarea>" in again

    # Completing the missing rating, the submit goes through.
    response = _post(client, token, {**data, f"{second}-self": "4"}, action="submit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{token}/done"
    assert _reload(company).submitted_at is not None
    assert _rows(company)[second].self_rating == 4


def test_a_choice_outside_the_scale_is_refused_inline_and_the_rest_kept(client, survey):
    assessment, (company, token), _ = survey
    key, other = _keys(assessment)[:2]
    response = _post(client, token, _filled(assessment, **{f"{key}-other": "9"}), action="submit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{key}-other-error"' in page
    assert "saved as a draft, not submitted yet" in page
    rows = _rows(company)
    assert key not in rows  # the refused trait is not stored at all
    assert len(rows) == len(assessment.traits) - 1 and rows[other].other_rating == 3
    assert _reload(company).submitted_at is None


def test_submit_thanks_and_says_answers_stay_editable_until_the_reveal(client, survey):
    assessment, (company, token), _ = survey
    response = _post(client, token, _filled(assessment), action="submit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{token}/done"
    status, page = _page(client, f"/r/{token}/done")
    assert status == 200
    assert "Your answers are submitted" in page
    assert "change them until the results are revealed" in page
    assert _reload(company).submitted_at is not None
    assert _answer_rows(company) == 10


def test_done_page_before_submitting_leads_to_the_introduction(client, survey):
    _, (_, token), _ = survey
    response = client.get(f"/r/{token}/done")
    assert response.status_code == 302 and response.headers["Location"] == f"/r/{token}"


def test_answers_can_be_changed_after_submitting(client, survey):
    assessment, (company, token), _ = survey
    key = _keys(assessment)[0]
    _post(client, token, _filled(assessment), action="submit")
    submitted_at = _reload(company).submitted_at
    _, page = _page(client, f"/r/{token}/answers")
    assert "Save changes" in page and "Save draft</button>" not in page.split("fc-actions")[1]
    changed = _post(client, token, _filled(assessment, **{f"{key}-other": "na"}), action="submit")
    assert changed.status_code == 302
    row = db.session.scalar(
        select(Answer).where(
            Answer.respondent_id == company.id, Answer.trait_id == assessment.traits[0].id
        )
    )
    assert row.other_rating is None and row.other_cant_judge
    assert _reload(company).submitted_at == submitted_at


def test_changes_after_submitting_must_keep_the_response_complete(client, survey):
    assessment, (company, token), _ = survey
    key = _keys(assessment)[0]
    _post(client, token, _filled(assessment), action="submit")
    incomplete = _filled(assessment)
    del incomplete[f"{key}-other"]
    response = _post(client, token, incomplete, action="save")  # Enter, or a forged "save"
    assert response.status_code == 200
    assert f'id="{key}-other-error"' in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count(Answer.id)).where(
                Answer.respondent_id == company.id, Answer.other_rating.is_(None)
            )
        )
        == 0
    )


def test_double_submit_creates_nothing_twice(client, survey):
    assessment, (company, token), _ = survey
    data = {**_filled(assessment), "action": "submit"}
    data["csrf_token"] = csrf_token(client, f"/r/{token}/answers")
    first = client.post(f"/r/{token}/answers", data=data)
    submitted_at = _reload(company).submitted_at
    second = client.post(f"/r/{token}/answers", data=data)
    assert first.status_code == second.status_code == 302
    assert _answer_rows(company) == len(assessment.traits)
    assert _reload(company).submitted_at == submitted_at


@pytest.mark.parametrize("lost_session", [False, True], ids=["expired-token", "lost-session"])
def test_expired_csrf_keeps_every_typed_value_and_saves_nothing(app, client, survey, lost_session):
    assessment, (company, token), _ = survey
    key = _keys(assessment)[0]
    data = _filled(assessment, **{f"{key}-comment": "Typed before lunch", f"{key}-self": "na"})
    poster = app.test_client() if lost_session else client
    if not lost_session:
        csrf_token(client, f"/r/{token}/answers")
    response = poster.post(
        f"/r/{token}/answers", data={**data, "action": "submit", "csrf_token": EXPIRED_CSRF}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "For your security this page needed refreshing" in page
    assert "Typed before lunch</textarea>" in page
    assert _checked(page, f"{key}-self", "na") and _checked(page, f"{key}-other", "3")
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert fresh != EXPIRED_CSRF
    assert _answer_rows(company) == 0
    assert _reload(company).submitted_at is None
    # Pressing Submit again, with the page's fresh token, works.
    again = poster.post(
        f"/r/{token}/answers", data={**data, "action": "submit", "csrf_token": fresh}
    )
    assert again.status_code == 302
    assert _reload(company).submitted_at is not None


def test_decline_asks_for_confirmation_and_keeps_the_reason(client, survey):
    _, (company, token), _ = survey
    status, page = _page(client, f"/r/{token}/decline")
    assert status == 200 and "Decline to take part" in page
    assert _reload(company).declined_at is None  # opening the page is not declining
    response = _post(client, token, {"reason": "  Not my project  "}, path="decline")
    assert response.status_code == 302 and response.headers["Location"] == f"/r/{token}"
    declined = _reload(company)
    assert declined.declined_at is not None and declined.decline_reason == "Not my project"
    assert "You declined to take part" in client.get(f"/r/{token}").get_data(as_text=True)


def test_decline_with_an_expired_csrf_token_keeps_the_reason(client, survey):
    _, (company, token), _ = survey
    csrf_token(client, f"/r/{token}/decline")
    response = client.post(
        f"/r/{token}/decline", data={"reason": "Busy this month", "csrf_token": EXPIRED_CSRF}
    )
    assert response.status_code == 400
    assert "Busy this month</textarea>" in response.get_data(as_text=True)
    assert _reload(company).declined_at is None


def test_a_declined_respondent_can_still_answer_which_clears_the_decline(client, survey):
    assessment, (company, token), _ = survey
    _post(client, token, {"reason": ""}, path="decline")
    _post(client, token, _filled(assessment), action="submit")
    answered = _reload(company)
    assert answered.declined_at is None and answered.submitted_at is not None


def test_a_submitted_respondent_cannot_decline(client, survey):
    assessment, (company, token), _ = survey
    _post(client, token, _filled(assessment), action="submit")
    response = _post(client, token, {"reason": "changed my mind"}, path="decline")
    assert response.status_code == 409
    assert "already submitted" in response.get_data(as_text=True)
    assert _reload(company).declined_at is None


def test_unknown_link_is_a_generic_404(client, survey):
    _, (_, token), _ = survey
    for url in ("/r/not-a-token", f"/r/{token[:-2]}xx", f"/r/{token[:-2]}xx/answers"):
        status, page = _page(client, url)
        assert status == 404
        assert "This link is not valid" in page
    posted = client.post(f"/r/{token[:-2]}xx/answers", data={"x": "1"})
    assert posted.status_code == 404


def test_a_link_reaches_only_its_own_respondent(client, make_assessment):
    first, first_tokens = make_assessment()
    other, other_tokens = make_assessment()
    mine, token = next(iter(first_tokens.items()))
    theirs, their_token = next((r, t) for r, t in other_tokens.items() if r.side is mine.side)
    for assessment, absent, link in ((first, other, token), (other, first, their_token)):
        _, page = _page(client, f"/r/{link}/answers")
        assert assessment.partner.name in page and absent.partner.name not in page
    _post(client, token, _filled(first), action="submit")
    assert _answer_rows(mine) == len(first.traits)
    assert _answer_rows(theirs) == 0
    assert {row.assessment_id for row in db.session.scalars(select(Answer))} == {first.id}


def test_after_the_deadline_the_link_says_so_and_refuses_answers(client, make_assessment):
    deadline = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    # Created a month before its deadline, as it was.
    assessment, tokens = make_assessment(deadline=deadline, now=deadline - timedelta(days=30))
    respondent, token = next(iter(tokens.items()))
    status, page = _page(client, f"/r/{token}")
    assert status == 410
    assert "The deadline has passed" in page and "March 1, 2024" in page
    response = client.post(
        f"/r/{token}/answers", data={**_filled(assessment), "action": "submit", "csrf_token": "x"}
    )
    assert response.status_code == 410
    assert client.post(f"/r/{token}/autosave", data=_filled(assessment)).status_code == 409
    assert _answer_rows(respondent) == 0


def test_a_withdrawn_invitation_stops_working(client, survey):
    _, (company, token), _ = survey
    withdraw_respondent(company)
    for url in (f"/r/{token}", f"/r/{token}/answers", f"/r/{token}/decline"):
        status, page = _page(client, url)
        assert status == 410
        assert "This invitation was withdrawn" in page


def test_a_draft_assessment_is_not_open_yet(client, make_assessment):
    _, tokens = make_assessment(launch=False)
    _, token = next(iter(tokens.items()))
    status, page = _page(client, f"/r/{token}/answers")
    assert status == 403
    assert "This survey is not open yet" in page


def test_after_the_reveal_the_link_says_where_results_are(client, make_assessment):
    assessment, tokens = make_assessment(share_with_client=False)
    by_side = {respondent.side: token for respondent, token in tokens.items()}
    assessments.reveal(assessment)
    status, company_page = _page(client, f"/r/{by_side[Side.COMPANY]}")
    assert status == 200
    assert "The results are revealed" in company_page
    assert "available here, through this same link" in company_page
    _, client_page = _page(client, f"/r/{by_side[Side.CLIENT]}")
    assert "The results stay with" in client_page
    assert "available here" not in client_page
    posted = client.post(f"/r/{by_side[Side.COMPANY]}/answers", data={"csrf_token": "x"})
    assert posted.status_code == 409


def test_an_archived_assessment_is_closed(client, make_assessment):
    assessment, tokens = make_assessment()
    assessments.reveal(assessment)
    assessments.archive(assessment)
    _, token = next(iter(tokens.items()))
    status, page = _page(client, f"/r/{token}")
    assert status == 410 and "This survey is archived" in page


def test_every_page_sends_no_referrer_and_is_not_cached(client, survey):
    _, (_, token), _ = survey
    for url in (f"/r/{token}", f"/r/{token}/answers", f"/r/{token}/decline", "/r/unknown"):
        response = client.get(url)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


def test_guessing_links_is_rate_limited(client, survey):
    _, (_, token), _ = survey
    assert all(client.get(f"/r/{token}").status_code == 200 for _ in range(15))
    misses = [client.get(f"/r/guess-{number}/answers").status_code for number in range(11)]
    assert misses[:10] == [404] * 10
    assert misses[10] == 429
    assert client.get("/r/another-guess").status_code == 429
    # A valid link keeps working for people who share the guesser's address.
    assert client.get(f"/r/{token}").status_code == 200


def test_all_pages_share_one_budget_per_address(app, client, survey):
    _, (_, token), _ = survey
    app.config["RESPOND_RATE_LIMIT"] = "5 per minute"
    codes = [client.get(f"/r/{token}{path}").status_code for path in ("", "/answers") * 3]
    assert codes == [200] * 5 + [429]


def test_sealed_no_other_respondent_shows_on_any_page(client, make_assessment):
    assessment, tokens = make_assessment(company=2, client=1)
    me, colleague = (r for r in tokens if r.side is Side.COMPANY)
    them = next(r for r in tokens if r.side is Side.CLIENT)
    for other in (colleague, them):
        save_answers(
            other,
            [
                AnswerInput(
                    trait_key=trait.key,
                    other=2,
                    self_=5,
                    importance=1,
                    comment=f"SEALED-{other.name}-{trait.key}",
                )
                for trait in assessment.traits
            ],
            submit=True,
        )
    token = tokens[me]
    pages = [client.get(f"/r/{token}{path}") for path in ("", "/answers", "/decline")]
    pages.append(_post(client, token, {"reason": ""}, path="decline"))
    pages.append(_post(client, token, _filled(assessment, value="na"), action="submit"))
    pages += [client.get(f"/r/{token}{path}") for path in ("", "/answers", "/done")]
    pages.append(
        client.post(
            f"/r/{token}/autosave",
            data={**_filled(assessment), "csrf_token": csrf_token(client, f"/r/{token}/answers")},
        )
    )
    for response in pages:
        body = response.get_data(as_text=True)
        assert "SEALED" not in body
        assert colleague.name not in body and them.name not in body


def _assessment_with(make_user, make_partner, count):
    user = make_user()
    trait_set = traits.create_trait_set(
        user.workspace_id,
        name=f"{count} traits",
        scale_lo=1,
        scale_hi=5,
        point_labels=traits.default_point_labels(),
    )
    for number in range(count):
        traits.add_trait(
            trait_set,
            traits.TraitText(
                label_en=f"Trait {number}",
                label_ja=f"特性 {number}",
                question_other_en="Does {partner} do it?",
                question_other_ja="{partner}は?",
                question_self_en="Do we do it?",
                question_self_ja="私たちは?",
            ),
        )
    assessment = assessments.create_assessment(
        make_partner(user.workspace), trait_set, kind=Kind.ANNUAL_REVIEW
    )
    respondent, token = add_respondent(assessment, side=Side.COMPANY, name="Sato")
    add_respondent(assessment, side=Side.CLIENT, name="Aoki")
    assessments.launch(assessment, invite=False)
    save_answers(
        respondent,
        [AnswerInput(trait_key=t.key, other=3, self_=4, comment="x") for t in assessment.traits],
    )
    return token


def test_the_form_page_runs_the_same_queries_for_3_and_10_traits(
    app, client, make_user, make_partner
):
    counts = {}
    for count in (3, 10):
        token = _assessment_with(make_user, make_partner, count)
        client.get(f"/r/{token}/answers")  # the first visit records the opening
        statements = []

        def record(conn, cursor, statement, *args, statements=statements):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            page = client.get(f"/r/{token}/answers").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert page.count('class="card fc-trait') == count
        counts[count] = len(statements)
    assert counts[3] == counts[10]
    assert counts[10] <= 4


def test_survey_form_fields_are_named_by_trait_key(app, survey):
    assessment, _, _ = survey
    with app.test_request_context():
        form_class = build_survey_form(
            assessment.traits,
            scale_lo=1,
            scale_hi=5,
            point_labels={"en": ["a", "b", "c", "d", "e"]},
            locale="ja",
            partner="Aozora",
        )
        form = form_class(formdata=None)
    key = assessment.traits[0].key
    assert [block.key for block in form.blocks] == _keys(assessment)
    assert [choice.value for choice in form[f"{key}-other"].choices] == [
        "1", "2", "3", "4", "5", "na",
    ]  # fmt: skip
    assert form[f"{key}-other"].choices[0].label == "a"  # English labels when Japanese lack
    assert "Aozora" in str(form[f"{key}-other"].label.text)
    assert "{partner}" not in str(form[f"{key}-other"].label.text)


def test_services_record_opening_language_and_decline_once(app, survey):
    _, (company, _), _ = survey
    moment = utcnow()
    responses.mark_opened(company, now=moment)
    responses.mark_opened(company, now=moment + timedelta(hours=1))
    assert _reload(company).opened_at == moment
    responses.set_respondent_locale(company, "ja")
    assert _reload(company).locale == "ja"
    with pytest.raises(ServiceError):
        responses.set_respondent_locale(company, "fr")
    responses.decline(company, " busy ")
    assert _reload(company).decline_reason == "busy"
