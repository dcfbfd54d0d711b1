"""Default trait set offered to every new workspace.

This module owns the built-in, bilingual (English and Japanese) "brand partner"
trait set: the ten qualities a company looks for in an ideal long-term client,
each phrased as a question about the other side ("{partner}") and as the same
question turned back on ourselves ("we"). Every new workspace is offered this
set as its starting point, and the demo data loader uses it as well.

The wording is deliberately neutral about who is the company and who is the
client: the company answers ``question_other_*`` about the client, the client
answers the very same question about the company, and both answer
``question_self_*`` about their own side. ``question_other_*`` contains the
named placeholder ``{partner}`` exactly once and is meant to be filled in with
``str.format(partner=...)``; ``question_self_*`` has no placeholder.

The objects here are plain immutable values with no database or Flask
dependency, so they can be imported anywhere (models, seeding, demo, tests).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BRAND_PARTNER",
    "DefaultTrait",
    "DefaultTraitSet",
    "trait_keys",
]

_MIN_SCALE_POINTS = 2


@dataclass(frozen=True, slots=True)
class DefaultTrait:
    """One trait of a default trait set, in English and Japanese."""

    key: str
    label_en: str
    label_ja: str
    description_en: str
    description_ja: str
    question_other_en: str
    question_other_ja: str
    question_self_en: str
    question_self_ja: str


@dataclass(frozen=True, slots=True)
class DefaultTraitSet:
    """An ordered list of default traits plus the rating scale they are answered on."""

    key: str
    name_en: str
    name_ja: str
    scale_lo: int
    scale_hi: int
    point_labels_en: tuple[str, ...]
    point_labels_ja: tuple[str, ...]
    traits: tuple[DefaultTrait, ...]

    def __post_init__(self) -> None:
        """Reject an inconsistent trait set as soon as it is defined."""
        points = self.scale_hi - self.scale_lo + 1
        problem = ""
        if points < _MIN_SCALE_POINTS:
            problem = "the scale needs at least two points"
        elif len(self.point_labels_en) != points or len(self.point_labels_ja) != points:
            problem = "there must be exactly one label per scale point in each language"
        elif len({trait.key for trait in self.traits}) != len(self.traits):
            problem = "trait keys must be unique"
        if problem:
            msg = f"default trait set {self.key!r}: {problem}"
            raise ValueError(msg)


BRAND_PARTNER = DefaultTraitSet(
    key="brand_partner",
    name_en="Brand partner",
    name_ja="ブランド・パートナー",
    scale_lo=1,
    scale_hi=5,
    point_labels_en=(
        "Not at all",
        "Slightly",
        "Moderately",
        "Strongly",
        "Very strongly",
    ),
    point_labels_ja=(
        "まったく当てはまらない",
        "少し当てはまる",
        "ある程度当てはまる",
        "かなり当てはまる",
        "とても当てはまる",
    ),
    traits=(
        DefaultTrait(
            key="passion",
            label_en="Passion for the work",
            label_ja="仕事への情熱",
            description_en=(
                "Brings real conviction and energy to the business and the work, "
                "treating it as its own cause rather than as a task to get through."
            ),
            description_ja=(
                "事業と仕事に心から打ち込み、こなすべき作業としてではなく、"
                "自分ごととして熱意をもって取り組んでいます。"
            ),
            question_other_en=(
                "How strongly does {partner} put genuine heart and energy "
                "into the work we do together?"
            ),
            question_other_ja=(
                "{partner}は、共に取り組む仕事に、本気で熱意をもって打ち込んでいますか。"
            ),
            question_self_en=(
                "How strongly do we put genuine heart and energy into the work we do together?"
            ),
            question_self_ja="私たちは、共に取り組む仕事に、本気で熱意をもって打ち込んでいますか。",
        ),
        DefaultTrait(
            key="quick_response",
            label_en="Quick response",
            label_ja="迅速な対応",
            description_en=(
                "Answers messages and makes decisions promptly, so that shared work "
                "never stalls while waiting on it."
            ),
            description_ja=(
                "連絡への返答や判断が早く、相手を待たせて共同の仕事を止めてしまうことがありません。"
            ),
            question_other_en=(
                "To what extent does {partner} respond and decide promptly, "
                "so that our shared work keeps moving smoothly?"
            ),
            question_other_ja=(
                "{partner}は、連絡や依頼に素早く応じ、共同の仕事が滞りなく進むようにしていますか。"
            ),
            question_self_en=(
                "To what extent do we respond and decide promptly, "
                "so that our shared work keeps moving smoothly?"
            ),
            question_self_ja=(
                "私たちは、連絡や依頼に素早く応じ、共同の仕事が滞りなく進むようにしていますか。"
            ),
        ),
        DefaultTrait(
            key="dialogue",
            label_en="Dialogue and debate",
            label_ja="率直な対話と議論",
            description_en=(
                "Speaks candidly and welcomes constructive debate, including disagreement, "
                "because better work matters more than easy agreement."
            ),
            description_ja=(
                "本音で意見を伝え、意見が食い違うときも建設的な議論をいといません。"
                "その場の合意よりも、仕事の質を高めることを大切にしています。"
            ),
            question_other_en=(
                "To what extent does {partner} engage in candid dialogue and "
                "constructive debate to make our work better?"
            ),
            question_other_ja=(
                "{partner}は、仕事をより良くするために、率直な対話や建設的な議論に"
                "前向きに応じていますか。"
            ),
            question_self_en=(
                "To what extent do we engage in candid dialogue and "
                "constructive debate to make our work better?"
            ),
            question_self_ja=(
                "私たちは、仕事をより良くするために、率直な対話や建設的な議論に"
                "前向きに応じていますか。"
            ),
        ),
        DefaultTrait(
            key="growth",
            label_en="Enjoys growth and change",
            label_ja="成長と変化を楽しむ",
            description_en=(
                "Welcomes change, keeps learning, and finds meaning in the journey, "
                "not only in the result."
            ),
            description_ja=(
                "変化を前向きに受け止めて学び続け、結果だけでなく、そこに至る道のりにも"
                "やりがいを見いだしています。"
            ),
            question_other_en=(
                "How strongly does {partner} embrace change and enjoy learning "
                "and growing along the way?"
            ),
            question_other_ja=(
                "{partner}は、変化を前向きに受け止め、学びや成長の過程そのものを楽しんでいますか。"
            ),
            question_self_en=(
                "How strongly do we embrace change and enjoy learning and growing along the way?"
            ),
            question_self_ja=(
                "私たちは、変化を前向きに受け止め、学びや成長の過程そのものを楽しんでいますか。"
            ),
        ),
        DefaultTrait(
            key="exceeding_expectations",
            label_en="Exceeds expectations",
            label_ja="期待を超える仕事",
            description_en=(
                "Goes beyond what was asked: anticipates needs and brings forward ideas "
                "the other side had not yet considered."
            ),
            description_ja=(
                "頼まれた範囲にとどまらず、必要になることを先回りして考え、"
                "相手がまだ検討していない視点や提案まで届けています。"
            ),
            question_other_en=(
                "To what extent does {partner} go beyond what is asked, anticipating "
                "needs and offering ideas we had not yet considered?"
            ),
            question_other_ja=(
                "{partner}は、依頼された範囲を超えて先回りし、私たちがまだ検討していない"
                "視点や提案まで示してくれていますか。"
            ),
            question_self_en=(
                "To what extent do we go beyond what is asked, anticipating needs and "
                "offering ideas our partner had not yet considered?"
            ),
            question_self_ja=(
                "私たちは、依頼された範囲を超えて先回りし、パートナーがまだ検討していない"
                "視点や提案まで示していますか。"
            ),
        ),
        DefaultTrait(
            key="accountability",
            label_en="Professional accountability",
            label_ja="プロとしての責任感",
            description_en=(
                "Owns its part of the work as a professional, keeps deadlines and agreements, "
                "and does not let standards slip for the sake of comfort."
            ),
            description_ja=(
                "プロとして自らの役割に責任を持ち、期限や取り決めを守ります。"
                "楽な方へ流されて仕事の質を落とすことはありません。"
            ),
            question_other_en=(
                "How strongly does {partner} take professional ownership of its part "
                "of the work, keeping deadlines and agreements?"
            ),
            question_other_ja=(
                "{partner}は、プロとして自らの担う役割に責任を持ち、期限や取り決めを守っていますか。"
            ),
            question_self_en=(
                "How strongly do we take professional ownership of our part of the work, "
                "keeping deadlines and agreements?"
            ),
            question_self_ja=(
                "私たちは、プロとして自らの担う役割に責任を持ち、期限や取り決めを守っていますか。"
            ),
        ),
        DefaultTrait(
            key="long_term",
            label_en="Long-term orientation",
            label_ja="長期的な視点",
            description_en=(
                "Thinks in years rather than single deals and invests in a relationship "
                "that lasts and grows over time."
            ),
            description_ja=(
                "目先の取引だけでなく数年先を見据え、時間とともに深まる関係づくりに力を注いでいます。"
            ),
            question_other_en=(
                "How strongly does {partner} look beyond the current project and "
                "invest in a lasting relationship with us?"
            ),
            question_other_ja=(
                "{partner}は、目の前の案件だけでなく先を見据えて、私たちとの長く続く関係に"
                "力を注いでいますか。"
            ),
            question_self_en=(
                "How strongly do we look beyond the current project and invest in "
                "a lasting relationship with our partner?"
            ),
            question_self_ja=(
                "私たちは、目の前の案件だけでなく先を見据えて、パートナーとの長く続く関係に"
                "力を注いでいますか。"
            ),
        ),
        DefaultTrait(
            key="shared_goals",
            label_en="Shared goals",
            label_ja="目標の共有",
            description_en=(
                "Agrees on common goals and pulls in the same direction, treating "
                "the other side's success as part of its own."
            ),
            description_ja=(
                "共通の目標をすり合わせて同じ方向を向き、相手の成功を自らの成功の一部として"
                "捉えています。"
            ),
            question_other_en=(
                "To what extent does {partner} pull in the same direction as us, "
                "toward goals we have agreed on together?"
            ),
            question_other_ja=(
                "{partner}は、共に合意した目標に向けて、私たちと同じ方向を向いて取り組んでいますか。"
            ),
            question_self_en=(
                "To what extent do we pull in the same direction as our partner, "
                "toward goals we have agreed on together?"
            ),
            question_self_ja=(
                "私たちは、共に合意した目標に向けて、パートナーと同じ方向を向いて"
                "取り組んでいますか。"
            ),
        ),
        DefaultTrait(
            key="trust_respect",
            label_en="Trust and respect",
            label_ja="信頼と敬意",
            description_en=(
                "Deals honestly and transparently, respects the other side's people "
                "and expertise, and can be relied on."
            ),
            description_ja=(
                "誠実で隠し立てのない関わり方をし、相手の人や専門性に敬意を払い、"
                "安心して任せられる存在です。"
            ),
            question_other_en=(
                "How strongly does {partner} treat us with honesty and respect, and earn our trust?"
            ),
            question_other_ja=(
                "{partner}は、誠実さと敬意をもって私たちに接し、信頼に足る関係を築いていますか。"
            ),
            question_self_en=(
                "How strongly do we treat our partner with honesty and respect, "
                "and earn their trust?"
            ),
            question_self_ja=(
                "私たちは、誠実さと敬意をもってパートナーに接し、信頼に足る関係を築いていますか。"
            ),
        ),
        DefaultTrait(
            key="autonomy",
            label_en="Autonomy",
            label_ja="自律性",
            description_en=(
                "Takes initiative and moves things forward on its own, without needing "
                "to be chased or told every step."
            ),
            description_ja=(
                "催促や細かな指示を待たずに自ら考えて動き、主体的に物事を前へ進めています。"
            ),
            question_other_en=(
                "To what extent does {partner} take initiative and move things forward "
                "on its own, without needing to be chased?"
            ),
            question_other_ja=(
                "{partner}は、催促や細かな指示を待たずに、自ら考えて主体的に物事を進めていますか。"
            ),
            question_self_en=(
                "To what extent do we take initiative and move things forward on our own, "
                "without needing to be chased?"
            ),
            question_self_ja=(
                "私たちは、催促や細かな指示を待たずに、自ら考えて主体的に物事を進めていますか。"
            ),
        ),
    ),
)


def trait_keys(trait_set: DefaultTraitSet = BRAND_PARTNER) -> tuple[str, ...]:
    """Return the trait keys of ``trait_set`` (the brand partner set by default), in order."""
    return tuple(trait.key for trait in trait_set.traits)
