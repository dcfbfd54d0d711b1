"""What the demo workspace holds: its partners, their rounds and promises, and every text
of its own in English and in Japanese.

Pure data (no database): `services.demo` loads it, `services.demo_text` switches a loaded
demo between its languages. A text the demo writes is a `Words`: its English wording, which
it is as a `str` (so the plans read and compare as plain names), with its Japanese beside
it. Three partners are written out by hand; a few dozen more are generated from fixed seeds
so that the portfolio and its "like attracts like" analysis have enough rounds to show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from ..defaults import BRAND_PARTNER
from ..models import CommitmentStatus, Kind, Side, utcnow

# The languages the demo's own texts are written in, as the app's LANGUAGES spell them.
LANGUAGES = ("en", "ja")


class Words(str):
    """One of the demo's own texts: its English wording (the `str` it is) and its Japanese."""

    ja: str

    def __new__(cls, en: str, ja: str) -> Words:
        words = super().__new__(cls, en)
        words.ja = ja
        return words

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # copy and pickle
        return str(self), self.ja

    @property
    def en(self) -> str:
        return str(self)

    def text(self, language: str) -> str:
        """The wording in `language` (one of LANGUAGES), as a plain `str`."""
        if language == "en":
            return str(self)
        if language == "ja":
            return self.ja
        raise ValueError(f"the demo speaks {' and '.join(LANGUAGES)}, not {language!r}")


DEMO_EMAIL = "demo@fitcheck.example"
DEMO_WORKSPACE = Words("Hamamatsu Creative Works (demo)", "【デモ】浜松クリエイティブワークス")
OWNER_NAME = Words("Demo Owner", "デモ オーナー")

TRAITS = tuple(trait.key for trait in BRAND_PARTNER.traits)


@dataclass(frozen=True)
class Promise:
    trait: str  # the trait's key
    side: Side
    action: Words
    owner: Words
    due_after_days: int  # counted from the reveal (from the meeting for MEETING_PROMISES)
    status: CommitmentStatus


@dataclass(frozen=True)
class Comment:
    """What one respondent wrote beside one trait."""

    side: Side
    respondent: int  # the side's respondent, by their place in the round's list
    trait: str  # the trait's key
    words: Words


class OutcomeNotes(NamedTuple):
    """The note of the round's outcome, whichever way the generated outcome went."""

    went_on: Words  # contract signed, or renewed
    did_not: Words


@dataclass(frozen=True)
class RoundPlan:
    kind: Kind
    launched: datetime
    # Per trait, the centre of each side's ratings: (company's view of the client,
    # client's view of the company, company's self-view, client's self-view).
    centres: dict[str, tuple[float, float, float, float]]
    reveal: bool = True
    client_submits: int = 2
    # A small partner's round: one person a side, and k = 1.
    small: bool = False
    # Promises made after the reveal, with what became of them by the next round.
    commitments: tuple[Promise, ...] = ()
    comments: tuple[Comment, ...] = ()
    outcome_notes: OutcomeNotes | None = None


@dataclass(frozen=True)
class PartnerPlan:
    name: Words
    contacts: tuple[tuple[Words, str, Words], ...]  # name, email, title
    rounds: tuple[RoundPlan, ...]
    notes: Words | None = None


def _profile(
    them: float, us: float, us_self: float, them_self: float, spread: float = 0.0
) -> dict[str, tuple[float, float, float, float]]:
    """The same centres for every trait, nudged per trait so the radar has a shape."""
    return {
        key: (
            them + spread * ((i * 7) % 5 - 2) / 4,
            us + spread * ((i * 3) % 5 - 2) / 4,
            us_self + spread * ((i * 2) % 5 - 2) / 5,
            them_self + spread * ((i * 4) % 5 - 2) / 5,
        )
        for i, key in enumerate(TRAITS)
    }


# The demo's story is told as of this day. Loaded on another, every date moves by as many
# days, so a fresh demo always looks current: its last rounds recent, its next reviews
# mostly ahead, one round being answered, rather than everything a year overdue.
WRITTEN_ON = date(2026, 11, 10)


def _at(year: int, month: int, day: int) -> datetime:
    moved = utcnow().date() - WRITTEN_ON
    return datetime(year, month, day, 9, 0, tzinfo=UTC) + moved


# The company's own staff, who answer for it and own its promises.
SATO = Words("Sato Haruka", "佐藤 遥")
ITO = Words("Ito Kenji", "伊藤 健二")
COMPANY_STAFF = ((SATO, "haruka.sato@hcw.example"), (ITO, "kenji.ito@hcw.example"))

# The hand-written partners' people.
AOKI = Words("Aoki Mei", "青木 芽衣")
FUJITA = Words("Fujita Ren", "藤田 蓮")
KITAGAWA = Words("Kitagawa Sho", "北川 翔")
NISHIDA = Words("Nishida Aya", "西田 彩")
MINAMI = Words("Minami Daiki", "南 大輝")
ODA = Words("Oda Yui", "小田 結衣")

BEFORE_CONTRACT = OutcomeNotes(
    Words(
        "Signed a one-year contract after the assessment.",
        "アセスメントのあと、1年間の契約を結んだ。",
    ),
    Words(
        "No contract this time; both sides agreed to talk again next season.",
        "今回は契約に至らず、来期にあらためて話し合うことで双方が合意した。",
    ),
)
AFTER_REVIEW = OutcomeNotes(
    Words(
        "Renewed for another year, with a wider scope of work.",
        "業務の範囲を広げて、契約をさらに1年更新した。",
    ),
    Words(
        "Not renewed: the client is moving the work in-house.",
        "契約は更新されなかった。先方は業務を社内で行う方針。",
    ),
)

PLANS = (
    PartnerPlan(
        name=Words("Aozora Design Works", "あおぞらデザインワークス株式会社"),
        notes=Words(
            "Met at the Hamamatsu design fair. Wants help with a brand book before signing "
            "anything longer.",
            "浜松のデザイン展示会で出会った。長期の契約の前に、まずブランドブックづくりを"
            "相談したいとのこと。",
        ),
        contacts=(
            (AOKI, "mei.aoki@aozora.example", Words("Brand manager", "ブランドマネージャー")),
            (
                FUJITA,
                "ren.fujita@aozora.example",
                Words("Creative director", "クリエイティブディレクター"),
            ),
        ),
        rounds=(
            RoundPlan(
                Kind.PRE_CONTRACT,
                _at(2025, 4, 7),
                _profile(4.3, 4.2, 4.4, 4.1, 0.8),
                outcome_notes=BEFORE_CONTRACT,
                comments=(
                    Comment(
                        Side.CLIENT,
                        0,
                        "exceeding_expectations",
                        Words(
                            "The sample pages went well beyond what we had asked for.",
                            "試作のページは、こちらがお願いした以上の仕上がりでした。",
                        ),
                    ),
                    Comment(
                        Side.CLIENT,
                        1,
                        "autonomy",
                        Words(
                            "After a few sharp questions they moved ahead without waiting "
                            "for instructions.",
                            "要点を押さえた質問のあとは、こちらの指示を待たずにどんどん"
                            "進めてくれました。",
                        ),
                    ),
                    Comment(
                        Side.COMPANY,
                        0,
                        "dialogue",
                        Words(
                            "They disagree openly and say why, which makes the work better.",
                            "反対のときは理由を添えてはっきり言ってくれるので、仕事の質が"
                            "上がります。",
                        ),
                    ),
                    Comment(
                        Side.COMPANY,
                        1,
                        "long_term",
                        Words(
                            "They already talk about the brand five years from now, not "
                            "only about this book.",
                            "今回のブランドブックだけでなく、5年後のブランドの姿まで"
                            "話題にしてくれます。",
                        ),
                    ),
                ),
            ),
        ),
    ),
    PartnerPlan(
        name=Words("Kitahama Foods", "北浜フーズ株式会社"),
        notes=Words(
            "Family-owned food maker in Osaka with three product lines; relaunching its brand.",
            "大阪の家族経営の食品メーカー。3つの商品ラインを持ち、ブランドを刷新中。",
        ),
        contacts=(
            (
                KITAGAWA,
                "sho.kitagawa@kitahama.example",
                Words("Marketing lead", "マーケティング責任者"),
            ),
            (NISHIDA, "aya.nishida@kitahama.example", Words("CEO", "代表取締役社長")),
        ),
        rounds=(
            RoundPlan(
                Kind.PRE_CONTRACT,
                _at(2024, 6, 3),
                _profile(3.2, 4.1, 4.2, 3.9, 1.2),
                outcome_notes=BEFORE_CONTRACT,
                # Kept, under way, not started and given up: the review a year on shows each,
                # and its launch moves the two still open into its own round, where they
                # are the same two promises (counted once) with their 2024 status kept.
                commitments=(
                    Promise(
                        "quick_response",
                        Side.COMPANY,
                        Words(
                            "Answer every request within one business day, with a named "
                            "person on each ticket.",
                            "すべての依頼に1営業日以内に返答し、案件ごとに担当者の名前を明記する。",
                        ),
                        SATO,
                        90,
                        CommitmentStatus.DONE,
                    ),
                    Promise(
                        "dialogue",
                        Side.CLIENT,
                        Words(
                            "Hold a monthly review call between both marketing leads.",
                            "双方のマーケティング責任者で、月に一度の振り返りの打ち合わせを持つ。",
                        ),
                        KITAGAWA,
                        60,
                        CommitmentStatus.IN_PROGRESS,
                    ),
                    Promise(
                        "growth",
                        Side.COMPANY,
                        Words(
                            "Propose one new sales channel to try each quarter.",
                            "四半期ごとに、試してみる新しい販路を1つ提案する。",
                        ),
                        ITO,
                        180,
                        CommitmentStatus.OPEN,
                    ),
                    Promise(
                        "long_term",
                        Side.CLIENT,
                        Words(
                            "Share the three-year brand plan with the agency.",
                            "3か年のブランド計画を制作会社と共有する。",
                        ),
                        NISHIDA,
                        120,
                        CommitmentStatus.DROPPED,
                    ),
                ),
                comments=(
                    Comment(
                        Side.CLIENT,
                        0,
                        "quick_response",
                        Words(
                            "On the trial project some replies took three days, and we "
                            "never knew who was handling what.",
                            "試しにお願いした案件では返信に3日かかることがあり、誰が"
                            "担当なのかも分かりませんでした。",
                        ),
                    ),
                    Comment(
                        Side.CLIENT,
                        1,
                        "long_term",
                        Words(
                            "We want a partner who is still with us when the new brand is "
                            "three years old.",
                            "新しいブランドが3年目を迎えるときにも、一緒に走ってくれる"
                            "パートナーを求めています。",
                        ),
                    ),
                    Comment(
                        Side.COMPANY,
                        0,
                        "dialogue",
                        Words(
                            "Feedback passes through several people and reaches us late; "
                            "the two leads should talk directly.",
                            "フィードバックが何人もの手を経て遅れて届きます。責任者どうしが"
                            "直接話せる場がほしいです。",
                        ),
                    ),
                    Comment(
                        Side.COMPANY,
                        1,
                        "passion",
                        Words(
                            "Everyone we met cares about their products; the factory visit "
                            "made that plain.",
                            "お会いした皆さんが自社の商品を大切にしていて、工場見学でも"
                            "それがよく伝わってきました。",
                        ),
                    ),
                ),
            ),
            RoundPlan(
                Kind.ANNUAL_REVIEW,
                _at(2025, 6, 2),
                _profile(3.5, 4.2, 4.3, 3.8, 1.0),
                outcome_notes=AFTER_REVIEW,
                comments=(
                    Comment(
                        Side.CLIENT,
                        0,
                        "quick_response",
                        Words(
                            "Much faster this year: every ticket has a name on it and "
                            "answers come the same day.",
                            "今年は対応がとても速くなりました。どの案件にも担当者の名前が"
                            "あり、その日のうちに返事が来ます。",
                        ),
                    ),
                    Comment(
                        Side.CLIENT,
                        1,
                        "growth",
                        Words(
                            "We are still waiting for the new sales channels promised last year.",
                            "昨年約束していただいた新しい販路の提案を、まだ待っています。",
                        ),
                    ),
                    Comment(
                        Side.COMPANY,
                        0,
                        "dialogue",
                        Words(
                            "The monthly call has started, but it was skipped twice in the "
                            "busy season.",
                            "月に一度の打ち合わせは始まりましたが、繁忙期に2回見送られました。",
                        ),
                    ),
                    Comment(
                        Side.COMPANY,
                        1,
                        "trust_respect",
                        Words(
                            "They now share their sales figures openly, which makes "
                            "planning far easier.",
                            "売上の数字を率直に共有してくださるようになり、企画がずっと"
                            "立てやすくなりました。",
                        ),
                    ),
                ),
            ),
        ),
    ),
    PartnerPlan(
        name=Words("Minato Logistics", "みなと物流株式会社"),
        notes=Words(
            "Warehousing and delivery in Yokohama; a client since 2023, reviewed once a year.",
            "横浜の倉庫・配送会社。2023年からのお客様で、年に一度レビューを行う。",
        ),
        contacts=(
            (
                MINAMI,
                "daiki.minami@minato.example",
                Words("Operations manager", "業務管理マネージャー"),
            ),
            (ODA, "yui.oda@minato.example", Words("Sales director", "営業部長")),
        ),
        rounds=(
            RoundPlan(
                Kind.ANNUAL_REVIEW,
                _at(2025, 3, 3),
                _profile(2.8, 3.0, 3.9, 3.6, 1.0),
                outcome_notes=AFTER_REVIEW,
                comments=(
                    Comment(
                        Side.CLIENT,
                        0,
                        "accountability",
                        Words(
                            "Two deliveries of printed material were late, and nobody told "
                            "us beforehand.",
                            "印刷物の納品が2回遅れ、事前の連絡もありませんでした。",
                        ),
                    ),
                    Comment(
                        Side.CLIENT,
                        1,
                        "dialogue",
                        Words(
                            "Meetings are friendly, but nobody says what is really going wrong.",
                            "打ち合わせの雰囲気は良いのですが、本当の問題を誰も口にしません。",
                        ),
                    ),
                    Comment(
                        Side.COMPANY,
                        0,
                        "shared_goals",
                        Words(
                            "We still do not know what a good year would look like for them.",
                            "先方にとって何ができれば良い1年なのか、まだつかめていません。",
                        ),
                    ),
                    Comment(
                        Side.COMPANY,
                        1,
                        "quick_response",
                        Words(
                            "Approvals take two weeks on their side, which squeezes every "
                            "schedule.",
                            "先方の承認に2週間かかるため、毎回スケジュールが厳しくなります。",
                        ),
                    ),
                ),
            ),
            RoundPlan(
                Kind.ANNUAL_REVIEW,
                _at(2026, 10, 26),
                _profile(3.0, 3.2, 3.8, 3.5, 1.0),
                reveal=False,
                client_submits=1,
            ),
        ),
    ),
)

#: When the team held the brand-partner workshop that chose the demo's traits.
WORKSHOP_HELD = _at(2024, 2, 9)

#: The partner whose annual review the demo's review meeting talked through.
KITAHAMA = next(plan for plan in PLANS if plan.name == "Kitahama Foods")

#: What the review meeting of Kitahama Foods' annual review agrees on, a week after its
#: reveal (`due_after_days` counted from the meeting); a promise on a trait the round does
#: not have is left out.
MEETING_PROMISES = (
    Promise(
        "exceeding_expectations",
        Side.COMPANY,
        Words(
            "Bring one improvement nobody asked for to every monthly review.",
            "毎月の定例会に、頼まれていない改善案を一つ持っていく。",
        ),
        SATO,
        60,
        CommitmentStatus.IN_PROGRESS,
    ),
    Promise(
        "quick_response",
        Side.COMPANY,
        Words(
            "Send both teams a short report of response times each month.",
            "対応時間の簡単な報告を、毎月双方のチームに送る。",
        ),
        ITO,
        30,
        CommitmentStatus.DONE,
    ),
    Promise(
        "shared_goals",
        Side.CLIENT,
        Words(
            "Share next year's sales targets with the agency before the planning kick-off.",
            "企画のキックオフ前に、来年の販売目標を代理店と共有する。",
        ),
        NISHIDA,
        45,
        CommitmentStatus.OPEN,
    ),
)


# The generated partners: names from two short lists, levels spread over the scale.
_NAME_FIRST = (
    Words("Asahi", "朝日"),
    Words("Hikari", "ひかり"),
    Words("Kaede", "かえで"),
    Words("Midori", "みどり"),
    Words("Sakura", "さくら"),
    Words("Tsubasa", "つばさ"),
)
_NAME_SECOND = (
    Words("Trading", "商事"),
    Words("Systems", "システムズ"),
    Words("Foods", "フーズ"),
    Words("Textiles", "繊維"),
    Words("Printing", "印刷"),
    Words("Electronics", "電子"),
)
_SURNAMES = (
    Words("Tanaka", "田中"),
    Words("Suzuki", "鈴木"),
    Words("Takahashi", "高橋"),
    Words("Watanabe", "渡辺"),
    Words("Yamamoto", "山本"),
    Words("Nakamura", "中村"),
)
_GIVEN = (
    Words("Yuki", "由紀"),
    Words("Sora", "空"),
    Words("Hana", "花"),
    Words("Riku", "陸"),
    Words("Mio", "美緒"),
    Words("Kaito", "海斗"),
)
MANAGER = Words("Manager", "課長")
DIRECTOR = Words("Director", "部長")


def _person(surname: Words, given: Words) -> Words:
    return Words(f"{surname} {given}", f"{surname.ja} {given.ja}")


def _generated_plans() -> tuple[PartnerPlan, ...]:
    rng = random.Random("fitcheck-demo:portfolio")  # noqa: S311 - demo data, not secrets
    plans = []
    for index in range(len(_NAME_FIRST) * len(_NAME_SECOND)):
        row, column = divmod(index, len(_NAME_SECOND))
        first, second = _NAME_FIRST[row], _NAME_SECOND[column]
        people = (
            _person(_SURNAMES[index % len(_SURNAMES)], _GIVEN[(index * 5) % len(_GIVEN)]),
            _person(_SURNAMES[(index + 3) % len(_SURNAMES)], _GIVEN[(index + 2) % len(_GIVEN)]),
        )
        us = rng.uniform(2.2, 4.7)
        them = min(4.8, max(1.8, us + rng.gauss(0, 0.7)))
        # Spread over a year, so their next reviews fall across the year ahead.
        launched = _at(2024, 9, 2) + timedelta(days=rng.randrange(0, 360))
        rounds = [
            RoundPlan(
                Kind.PRE_CONTRACT,
                launched,
                _profile(them, us, us + 0.3, them + 0.2, 0.6),
                client_submits=1,
                small=True,
            )
        ]
        if rng.random() < 0.6:  # most partners were reviewed a year on
            us2 = min(4.8, max(1.8, us + rng.gauss(0, 0.4)))
            them2 = min(4.8, max(1.8, them + rng.gauss(0, 0.4)))
            rounds.append(
                RoundPlan(
                    Kind.ANNUAL_REVIEW,
                    launched + timedelta(days=364),
                    _profile(them2, us2, us2 + 0.3, them2 + 0.2, 0.6),
                    client_submits=1,
                    small=True,
                )
            )
        domain = f"{first}-{second}".lower()
        plans.append(
            PartnerPlan(
                name=Words(f"{first} {second}", f"{first.ja}{second.ja}株式会社"),
                contacts=(
                    (people[0], f"manager@{domain}.example", MANAGER),
                    (people[1], f"director@{domain}.example", DIRECTOR),
                ),
                rounds=tuple(rounds),
            )
        )
    return tuple(plans)


GENERATED_PLANS = _generated_plans()
