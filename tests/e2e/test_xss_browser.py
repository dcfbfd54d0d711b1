"""Nothing a user types runs as script, on any page, even with the Content-Security-Policy
switched off.

One workspace is built through the services with a payload in every free-text field a
person can fill (workspace, people, partners, contacts, trait sets and traits in both
languages, assessments, respondents, answers, declines, commitments, outcomes, API tokens,
invitations, sign-ups), with rounds revealed so the results, report, timeline and portfolio
show them. Chromium then opens every page, staff's and respondents', with the CSP bypassed,
and finds no script that ran, no dialog, no element the payload made, and no `javascript:`
link; the mail those steps queued is opened in the same browser too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import (
    Assessment,
    Kind,
    OutboxMessage,
    Partner,
    Role,
    Side,
    TraitSet,
    utcnow,
)
from fitcheck.services import (
    accounts,
    api_tokens,
    assessments,
    commitments,
    invitations,
    members,
    outbox,
    outcomes,
    partners,
    responses,
    traits,
)
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.notifications import queue_commitment_digests
from fitcheck.services.respondents import add_respondent, find_respondent
from fitcheck.services.traits import TraitText

from ..support import PASSWORD
from .conftest import LiveApp
from .test_foundation_flow import sign_in

NewPage = Callable[..., Page]

# An element with a handler, a tag closing an attribute and opening a script, one closing
# a single-quoted attribute: each sets window.__xss if it ever runs.
IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = '"><script>window.__xss=1</script>'
SVG = "'><svg onload=window.__xss=1>"
SHOWN = 'onerror="window.__xss=1"'  # what the page shows when the payload stays text
OWNER = "owner@example.com"
COLLEAGUE = "colleague@example.com"
# Valid addresses whose local part holds characters HTML cares about.
INVITEE = "o'neil&co+x@example.com"
NEWCOMER = "new'comer&x@example.com"


def text(label: str, *, long: bool = False) -> str:
    """A label (so the page shows which field it is) carrying the payloads."""
    return f"{label} {IMG}{SCRIPT}" + (f" {SVG} javascript:window.__xss=1" if long else "")


def answers_for(assessment: Assessment, rng: random.Random, comment: str) -> list[AnswerInput]:
    lo, hi = assessment.scale_lo, assessment.scale_hi
    return [
        AnswerInput(
            trait_key=trait.key,
            other=rng.randint(lo, hi),
            self_=rng.randint(lo, hi),
            importance=rng.randint(1, 5),
            comment=f"{comment} ({trait.key})",
        )
        for trait in assessment.traits
    ]


@dataclass
class Built:
    """Ids and links of what the pages show."""

    staff: list[str] = field(default_factory=list)
    public: list[str] = field(default_factory=list)
    japanese: list[str] = field(default_factory=list)


def run_round(
    partner: Partner,
    trait_set: TraitSet,
    rng: random.Random,
    label: str,
    *,
    title: str = "",
    previous: Assessment | None = None,
) -> tuple[Assessment, dict[str, str]]:
    """A round answered by one person a side (comments and all), plus one who declined."""
    deadline = utcnow() + timedelta(days=14)
    assessment = assessments.create_assessment(
        partner, trait_set, kind=Kind.PRE_CONTRACT, deadline=deadline, title=title,
        previous=previous,
    )  # fmt: skip
    _us, us_token = add_respondent(
        assessment, side=Side.COMPANY, name=text(f"{label} our respondent"), email="us@example.com"
    )
    _them, them_token = add_respondent(
        assessment, side=Side.CLIENT, name=text(f"{label} their respondent"), email=INVITEE
    )
    _no, no_token = add_respondent(
        assessment, side=Side.CLIENT, name=text(f"{label} decliner"), email="no@example.com"
    )
    assessments.launch(assessment, invite=True)
    for token, side in ((us_token, "our"), (them_token, "their")):
        respondent = find_respondent(token)
        assert respondent is not None
        comment = text(f"{label} {side} comment", long=True)
        save_answers(respondent, answers_for(assessment, rng, comment), submit=True)
    decliner = find_respondent(no_token)
    assert decliner is not None
    responses.decline(decliner, text(f"{label} decline reason", long=True))
    return assessment, {"us": us_token, "them": them_token, "declined": no_token}


def build(owner_email: str) -> Built:
    """Every free-text field filled with payloads, through the services."""
    rng = random.Random(11)
    built = Built()
    owner = accounts.sign_up(
        workspace_name=text("Workspace"), name=text("Owner"), email=owner_email, password=PASSWORD
    )
    colleague = accounts.create_user(
        email=COLLEAGUE,
        workspace_name=owner.workspace.name,
        password=PASSWORD,
        name=text("Colleague"),
    )
    members.invite_member(owner, email=INVITEE, role=Role.MEMBER)
    accounts.request_sign_up(
        workspace_name=text("New workspace"),
        name=text("Newcomer"),
        email=NEWCOMER,
        password=PASSWORD,
        locale="en",
    )
    api_tokens.create_token(owner, f"Token {IMG}")

    points = 5
    trait_set = traits.create_trait_set(
        owner.workspace_id,
        name=text("Trait set"),
        scale_lo=1,
        scale_hi=points,
        point_labels={
            "en": [f"P{n} {IMG}" for n in range(points)],
            "ja": [f"点{n} {SCRIPT}" for n in range(points)],
        },
    )
    trait_ids = []
    for number in range(3):
        trait = traits.add_trait(
            trait_set,
            TraitText(
                label_en=f"T{number} {IMG}",
                label_ja=f"特{number} {SCRIPT}",
                question_other_en=text(f"T{number} question about them", long=True),
                question_other_ja=text(f"特{number} 相手への質問", long=True),
                question_self_en=text(f"T{number} question about us", long=True),
                question_self_ja=text(f"特{number} 自分への質問", long=True),
                description_en=text(f"T{number} description", long=True),
                description_ja=text(f"特{number} 説明", long=True),
            ),
        )
        trait_ids.append(trait.id)

    partner = partners.create_partner(
        owner.workspace_id,
        name=text("Partner"),
        website=f"https://partner.example/{SCRIPT}",
        notes=text("Partner notes", long=True),
    )
    partners.add_contact(partner, name=text("Contact"), email=INVITEE, title=text("Title"))
    # A website stored before addresses were checked: shown, never a link.
    legacy = partners.create_partner(owner.workspace_id, name=text("Legacy partner"))
    legacy.website = "javascript:window.__xss=1"
    db.session.commit()

    first, first_tokens = run_round(partner, trait_set, rng, "R1", title=text("Round one"))
    assessments.reveal(first, actor=owner)
    for side, owner_name in ((Side.COMPANY, owner.name), (Side.CLIENT, text("Their owner"))):
        commitments.add_commitment(
            first,
            trait_id=first.traits[0].id,
            side=side,
            action=text(f"{side.value} action", long=True),
            owner=owner_name,
            due_on=(utcnow() + timedelta(days=3)).date(),  # in this week's digest
        )
    outcome, _created = outcomes.record_outcome(
        partner,
        period=str(utcnow().year),
        observed_on=utcnow().date(),
        satisfaction=7,
        note=text("Outcome note", long=True),
    )

    # The next round, collecting: one draft answer, one decline, one who has not started.
    second = assessments.start_next_round(first)
    assessments.update_draft(
        second,
        trait_set,
        kind=Kind.ANNUAL_REVIEW,
        deadline=utcnow() + timedelta(days=14),
        reveal_policy=second.reveal_policy,
        min_responses_per_side=1,
        share_with_client=True,
        title=text("Round two"),
    )
    _late, late_token = add_respondent(
        second, side=Side.CLIENT, name=text("R2 late respondent"), email="late@example.com"
    )
    assessments.launch(second, actor=owner, invite=True)
    second_tokens = {r.name: invitations.link_token(r) for r in second.respondents}
    drafting = find_respondent(second_tokens[text("R1 our respondent")])
    assert drafting is not None
    save_answers(
        drafting, answers_for(second, rng, text("R2 draft comment", long=True)), submit=False
    )
    declining = find_respondent(second_tokens[text("R1 their respondent")])
    assert declining is not None
    responses.decline(declining, text("R2 decline reason", long=True))
    invitations.queue_reminders(second, now=utcnow())

    draft = assessments.create_assessment(
        partner, trait_set, kind=Kind.PRE_CONTRACT, title=text("Draft round")
    )
    add_respondent(draft, side=Side.COMPANY, name=text("Draft respondent"))

    # More partners with a revealed round and an outcome each, so the portfolio analysis
    # fits its surface and labels its points with their names.
    for number in range(6):
        other = partners.create_partner(owner.workspace_id, name=text(f"Partner {number}"))
        round_, _tokens = run_round(other, trait_set, rng, f"P{number}")
        assessments.reveal(round_, actor=owner)
        outcomes.record_outcome(
            other, period=str(utcnow().year), observed_on=utcnow().date(),
            satisfaction=rng.randint(2, 9), note=text(f"P{number} outcome"),
        )  # fmt: skip
    queue_commitment_digests(week="xss", today=utcnow().date(), now=utcnow())
    db.session.commit()

    a, b, d, p = first.id, second.id, draft.id, partner.id
    withdrawable = next(r for r in second.respondents if r.submitted_at is None)
    built.staff = [
        "/",
        "/partners/",
        f"/partners/?q={IMG}",
        f"/partners/{p}",
        f"/partners/{p}/edit",
        f"/partners/{p}/timeline",
        f"/partners/{p}/delete",
        f"/partners/{p}/assessments/new",
        f"/partners/{legacy.id}",
        f"/outcomes/partners/{p}/new",
        f"/outcomes/{outcome.id}/edit",
        "/outcomes/import",
        f"/assessments/{a}",
        f"/assessments/{a}/results",
        f"/assessments/{a}/report",
        f"/assessments/{b}",
        f"/assessments/{b}/reveal/confirm",
        f"/respondents/{withdrawable.id}/withdraw/confirm",
        f"/assessments/{d}",
        f"/assessments/{d}/edit",
        f"/assessments/{d}/launch/confirm",
        f"/assessments/{d}/delete",
        "/portfolio/",
        "/portfolio/analysis",
        "/trait-sets/",
        f"/trait-sets/{trait_set.id}",
        f"/trait-sets/{trait_set.id}/traits/new",
        f"/trait-sets/traits/{trait_ids[0]}",
        "/members",
        f"/members/{colleague.id}/remove",
        "/audit",
        "/workspace",
        "/workspace/delete",
        "/account",
    ]
    built.public = [
        *(f"/r/{first_tokens[who]}" for who in ("us", "them", "declined")),
        f"/r/{first_tokens['them']}/results",
        f"/r/{first_tokens['us']}/results",
        f"/r/{first_tokens['them']}/report",
        f"/r/{second_tokens[text('R1 our respondent')]}",
        f"/r/{second_tokens[text('R1 our respondent')]}/answers",
        f"/r/{second_tokens[text('R1 their respondent')]}/decline",
        f"/r/{late_token}",
        f"/r/{late_token}/answers",
        f"/r/{late_token}/decline",
    ]
    built.japanese = [
        f"/r/{late_token}/answers",
        f"/r/{first_tokens['them']}/results",
    ]
    return built


# What a payload would leave behind had it been parsed as markup, and every link or
# form target that is a script.
PROBE = """() => ({
  ran: window.__xss !== undefined,
  elements: [...document.querySelectorAll(
      'img[src="x"], svg[onload], [onerror], [onload], '
      + 'script:not([src]):not([type="application/json"])'
    )].map((node) => node.outerHTML.slice(0, 120)),
  scriptLinks: [...document.querySelectorAll('[href], [src], [action], [formaction]')]
    .map((node) => ['href', 'src', 'action', 'formaction'].map((a) => node.getAttribute(a)))
    .flat().filter((value) => value && /^[\\s\\x00-\\x20]*javascript:/i.test(value)),
  shown: document.body.innerText.includes('onerror="window.__xss=1"'),
})"""

CHARTS_DRAWN = """() => [...document.querySelectorAll('.fc-chart')]
  .every((chart) => chart.dataset.drawn !== undefined)"""


def check(page: Page, url: str, dialogs: list[str], *, shown: bool = True) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url}: {response.status}"
    page.wait_for_function(CHARTS_DRAWN)
    found = page.evaluate(PROBE)
    assert not found["ran"], f"a payload ran on {url}"
    assert found["elements"] == [], f"{url} holds markup from a payload: {found['elements']}"
    assert found["scriptLinks"] == [], f"{url} links to script: {found['scriptLinks']}"
    assert dialogs == [], f"{url} opened a dialog: {dialogs}"
    if shown:
        assert found["shown"], f"{url} does not show the payload as text"


def watched(page: Page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_no_payload_in_any_field_runs_on_any_page_without_the_csp(
    new_page: NewPage, mail_server: LiveApp
) -> None:
    served = mail_server
    with served.app.app_context():
        built = build(OWNER)
        db.session.remove()
    join_link = served.link("member_invitation", INVITEE)
    sign_up_link = served.link("sign_up_confirm", NEWCOMER)

    staff = new_page(bypass_csp=True)
    staff_dialogs = watched(staff)
    sign_in(staff, served.url, OWNER, PASSWORD)
    expect(staff).to_have_url(re.compile(r"/partners/$"))
    for path in built.staff:
        check(staff, served.url + path, staff_dialogs)

    # A field error that quotes a name: the colleague is already a member.
    check(staff, f"{served.url}/members", staff_dialogs)
    staff.locator("#email").fill(COLLEAGUE)
    staff.locator("#email").press("Enter")
    expect(staff.locator(".invalid-feedback")).to_contain_text("is already a member")
    check(staff, staff.url, staff_dialogs)

    visitor = new_page(bypass_csp=True)
    visitor_dialogs = watched(visitor)
    for path in built.public:
        check(visitor, served.url + path, visitor_dialogs)
    check(visitor, join_link, visitor_dialogs)
    check(visitor, sign_up_link, visitor_dialogs)

    # The Japanese wording of the traits and the scale, where a respondent reads it.
    japanese = new_page(bypass_csp=True, locale="ja-JP")
    japanese_dialogs = watched(japanese)
    for path in built.japanese:
        check(japanese, served.url + path, japanese_dialogs)
        assert "特0" in japanese.inner_text("body"), path

    # The mail: its HTML part opened as a page.
    with served.app.app_context():
        messages = list(db.session.scalars(select(OutboxMessage)))
        kinds = {message.kind for message in messages}
        rendered = [outbox.render(message) for message in messages]
        db.session.remove()
    assert {"invitation", "reminder", "results_ready", "commitment_digest"} <= kinds
    assert {"member_invitation", "sign_up_confirm"} <= kinds
    for mail in filter(None, rendered):
        assert mail.html is not None
        assert "<img src=x" not in mail.html and "<script>" not in mail.html
        visitor.set_content(mail.html)
        found = visitor.evaluate(PROBE)
        assert not found["ran"] and found["elements"] == [], mail.subject
        assert found["scriptLinks"] == [], mail.subject
    assert visitor_dialogs == []


def test_the_probe_sees_a_payload_that_runs(new_page: NewPage) -> None:
    """The check itself: an unescaped payload, with the CSP off, is caught."""
    page = new_page(bypass_csp=True)
    dialogs = watched(page)
    page.set_content(f"<p>{IMG}</p><a href='javascript:x'>x</a>")
    page.wait_for_function("() => window.__xss === 1")
    found = page.evaluate(PROBE)
    assert found["ran"] and found["elements"] and found["scriptLinks"] == ["javascript:x"]
    assert dialogs == []
