"""Japanese chart labels break between phrases, never inside a word.

The labels are the real ones a workspace starts with (fitcheck/defaults.py), wrapped at
every width a chart uses and more; the words listed here must come out whole on one line
whenever they fit on a line at all.
"""

from __future__ import annotations

import html
import math
import unicodedata

import pytest

from fitcheck.charts.text import _label_box, radar_ticktext, tick_label, wrap_label
from fitcheck.defaults import BRAND_PARTNER

LABELS_JA = [trait.label_ja for trait in BRAND_PARTNER.traits]
# Text a chart draws besides the trait labels: the legend's names of the two sides.
SIDES_JA = ["クライアントから見た自社", "自社から見たクライアント", "クライアントの自己評価"]
# Words a Japanese reader sees broken in two if a line ends inside them.
WHOLE_WORDS = [
    "クライアント",
    "責任感",
    "楽しむ",
    "情熱",
    "仕事",
    "迅速",
    "対応",
    "率直",
    "対話",
    "議論",
    "成長",
    "変化",
    "期待",
    "超える",
    "プロ",
    "長期的",
    "視点",
    "目標",
    "共有",
    "信頼",
    "敬意",
    "自律性",
    "自己評価",
]


def columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def split_words(text: str, lines: list[str]) -> list[str]:
    """The words of WHOLE_WORDS that a line ends inside (as "クライアン|ト")."""
    assert "".join(lines) == text, lines
    ends: set[int] = set()
    offset = 0
    for line in lines[:-1]:
        offset += len(line)
        ends.add(offset)
    broken = []
    for word in WHOLE_WORDS:
        start = text.find(word)
        while start >= 0:
            cut = next((end for end in ends if start < end < start + len(word)), None)
            if cut is not None:
                broken.append(f"{text[start:cut]}|{text[cut : start + len(word)]}")
            start = text.find(word, start + 1)
    return broken


def lines_of(wrapped: str) -> list[str]:
    return [html.unescape(line) for line in wrapped.split("<br>")]


def test_the_default_labels_hold_the_words_checked() -> None:
    # The list is not vacuous: most of its words occur in the labels a workspace starts with.
    joined = "".join(LABELS_JA + SIDES_JA)
    assert sum(word in joined for word in WHOLE_WORDS) == len(WHOLE_WORDS)


@pytest.mark.parametrize("text", LABELS_JA + SIDES_JA)
def test_japanese_labels_break_between_phrases_at_every_width(text: str) -> None:
    for width in range(6, 30):  # 3 kanji a line, narrower than any chart
        lines = lines_of(wrap_label(text, width, max_lines=10))
        assert all(columns(line) <= width for line in lines), (width, lines)
        longest = max(columns(word) for word in WHOLE_WORDS if word in text)
        if width >= longest:
            assert split_words(text, lines) == [], (width, lines)


def test_chart_ticks_and_radar_labels_keep_every_word_whole() -> None:
    for text in LABELS_JA:
        lines = lines_of(tick_label(text))
        assert split_words(text, lines) == [], lines
    theta = [360 * i / len(LABELS_JA) for i in range(len(LABELS_JA))]
    ticks = radar_ticktext(LABELS_JA, theta)
    for text, wrapped in zip(LABELS_JA, ticks.text, strict=True):
        lines = lines_of(wrapped)
        assert split_words(text, lines) == [], lines


def test_japanese_breaks_follow_phrases() -> None:
    assert wrap_label("成長と変化を楽しむ", 8) == "成長と<br>変化を<br>楽しむ"
    # Where the ends of runs of kana mislead ("提案書のわ|かりやすさ", "クライアント|の"):
    assert wrap_label("提案書のわかりやすさ", 12) == "提案書の<br>わかりやすさ"
    assert wrap_label("新しいことに挑戦する", 10) == "新しい<br>ことに<br>挑戦する"
    assert wrap_label("自社から見たクライアントの自己評価", 14) == (
        "自社から見た<br>クライアントの<br>自己評価"
    )
    assert wrap_label("プロとしての責任感", 12) == "プロとしての<br>責任感"
    assert wrap_label("クライアントから見た自社", 16) == "クライアントから<br>見た自社"


def test_a_katakana_word_or_a_number_is_cut_only_when_wider_than_a_line() -> None:
    assert wrap_label("カスタマーサクセスの質", 20) == "カスタマーサクセスの<br>質"
    for width in (12, 14, 16):
        assert wrap_label("クライアント満足度2026年", width) == "クライアント<br>満足度2026年"
    # BudouX alone would end a line inside the year ("202|6年").
    assert wrap_label("2026年12月の振り返り", 10) == "2026年<br>12月の<br>振り返り"
    # A word wider than a line still fits, by characters, rather than overflowing.
    lines = lines_of(wrap_label("コミュニケーションの速さ", 10))
    assert "".join(lines) == "コミュニケーションの速さ"
    assert all(columns(line) <= 10 for line in lines)


LABELS_EN = [trait.label_en for trait in BRAND_PARTNER.traits]


@pytest.mark.parametrize("labels", [LABELS_JA, LABELS_EN])
def test_radar_labels_fit_a_phones_margins_at_13px_uncut(labels: list[str]) -> None:
    # The widths are tuned for 13 px text: a side label is at most about 80 px wide (a
    # kanji is 13 px, a Latin letter about 7), beside a radar some 190 px across on a
    # 390 px phone; the labels a workspace starts with all fit without "…".
    theta = [360 * i / len(labels) for i in range(len(labels))]
    ticks = radar_ticktext(labels, theta, standoff=13)
    for text, wrapped, degrees in zip(labels, ticks.text, theta, strict=True):
        lines = lines_of(wrapped)
        assert "".join(lines).replace(" ", "") == text.replace(" ", ""), lines
        widest = max(columns(line) for line in lines)
        if abs(math.sin(math.radians(degrees))) >= 0.6:  # at the sides
            assert widest * (6.5 if columns(text) > len(text) else 7) <= 100, lines
    assert max(ticks.left, ticks.right) <= 100
    assert ticks.above <= 50 and ticks.below <= 70


def test_a_latin_word_a_little_wider_than_a_side_label_widens_it_rather_than_being_cut() -> None:
    ticks = radar_ticktext(["Accountability matters", "Internationalisation of teams"], [90, 270])
    assert lines_of(ticks.text[0]) == ["Accountability", "matters"]
    # A word far wider than a label is cut all the same: labels must not eat the radar.
    assert all(columns(line) <= 14 for line in lines_of(ticks.text[1]))


def test_labels_stand_off_the_ring_by_the_padding_asked() -> None:
    for degrees in (0, 45, 90, 135, 180, 225, 270, 315):
        near = _label_box("仕事への情熱", degrees)
        far = _label_box("仕事への情熱", degrees, standoff=13)
        angle = math.radians(90 - degrees)
        moved = (far.left - near.left, far.bottom - near.bottom)
        assert moved == pytest.approx((13 * math.cos(angle), 13 * math.sin(angle)), abs=1e-9)
