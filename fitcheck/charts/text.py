"""The text of the charts: wrapped, escaped and measured, before it enters a figure.

Plotly never wraps tick labels, legend entries or hover text, and it renders a subset of
HTML in them. Every text that reaches a figure is user-written or translated (trait labels
come from the workspace), so it passes through here: wrapped by hand to a width in columns
(Latin text at spaces and hyphens, Japanese between characters with the kinsoku rules),
then escaped, so that the only markup it carries is the ``<br>`` that wraps it. Japanese
lines end between phrases found by BudouX, the segmenter behind Chromium's CSS
``word-break: auto-phrase``, so a chart breaks "成長と|変化を|楽しむ" where the page
does. Each place in a figure has its own function (:func:`tick_label`,
:func:`hover_text`, :func:`legend_text`, :func:`plain_text`), so its width and line limit
are decided once.

The radar's axis labels sit around a circle, where neighbours can collide on a phone;
:func:`radar_ticktext` estimates where plotly puts each one and shrinks the taller of two
that would overlap. Pure functions of strings: no plotly, no Flask.
"""

from __future__ import annotations

import functools
import html
import math
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import budoux

__all__ = [
    "RadarTicks",
    "display_columns",
    "hover_text",
    "legend_text",
    "plain_text",
    "radar_ticktext",
    "tick_label",
    "wrap_label",
]

# Wrap widths in columns (a kanji counts 2), for 13 px labels (theme.TICK_FONT_SIZE), tried
# at 390 px with Chromium's fonts. A side label of the radar is at most about 80 px wide:
# 6 kanji, or 11 Latin letters (a longer word widens its label up to 14, rather than being
# cut); the radar's margins are measured from its labels, so short ones leave more room
# for the circle. Labels at the top and bottom may be half as wide again, and the bar
# chart's (automargin) a little wider, the bars keeping about two thirds of a phone's width.
_RADAR_SIDE_CJK = 12
_RADAR_SIDE_LATIN = 11
_RADAR_LONGEST_WORD = 14
# For keeping neighbouring labels apart and measuring the margins: the radar's radius on a
# phone (a little less, so the estimates err on the safe side), the height of a line and
# the width of a column at 13 px (estimates across common fonts: a kanji is 1 em wide).
_PHONE_RADIUS = 90
_FONT_PX = 13
_LINE_PX = 1.3 * _FONT_PX  # plotly.js LINE_SPACING
_COLUMN_PX = 7.3
_COLUMN_PX_CJK = 6.5
_LABEL_PADDING = 2
_LABEL_WIDTH_CJK = 12
_LABEL_WIDTH_LATIN = 14
_LABEL_LINES = 3
_LEGEND_WIDTH = 44
_HOVER_WIDTH = 40
_HOVER_LINES = 6

_ELLIPSIS = "…"
# Japanese line-breaking rules (kinsoku), the common subset: these never start a line …
_NO_LINE_START = frozenset(
    "、。，．,.・：；:;？！?!ー―‐〜～…‥)）]］}｝」』】〕〉》〙〗〟'\"’”゛゜"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻"
)
# … and these never end one.
_NO_LINE_END = frozenset("(（[［{｛「『【〔〈《〘〖〝‘“")


# --------------------------------------------------------------------------------------------
# Wrapping and escaping
# --------------------------------------------------------------------------------------------


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _has_wide(text: str) -> bool:
    return any(_is_wide(char) for char in text)


def _columns(text: str, *, east_asian: bool) -> int:
    """Display width: wide characters take 2 columns; ambiguous ones too in CJK text."""
    wide = ("W", "F", "A") if east_asian else ("W", "F")
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in wide else 1
    return total


class _Token(NamedTuple):
    """An unbreakable piece of East Asian text.

    ``spaced``: a space precedes it. ``phrase``: a phrase of its own starts with it, so a
    line may end before it without splitting a word.
    """

    text: str
    spaced: bool
    phrase: bool


@functools.cache
def _japanese_phrases() -> budoux.Parser:
    return budoux.load_default_japanese_parser()


def _phrase_starts(text: str) -> frozenset[int]:
    """Where BudouX starts a new phrase in ``text`` (offsets of characters)."""
    starts: set[int] = set()
    offset = 0
    for chunk in _japanese_phrases().parse(text):
        starts.add(offset)
        offset += len(chunk)
    return frozenset(starts)


def _cjk_tokens(text: str) -> list[_Token]:
    """Split into unbreakable pieces: one wide character or a run of narrow ones (a Latin
    word, a number), each marked with whether a space precedes it and whether a phrase
    starts there.

    Kinsoku: a piece that must not start a line is glued to the piece before it, and one
    that must not end a line to the piece after it.
    """
    starts = _phrase_starts(text)
    pieces: list[_Token] = []
    spaced = False
    for offset, char in enumerate(text):
        if char == " ":
            spaced = bool(pieces)
            continue
        if pieces and not spaced and not _is_wide(char) and not _is_wide(pieces[-1].text[-1]):
            pieces[-1] = pieces[-1]._replace(text=pieces[-1].text + char)
        else:
            pieces.append(_Token(char, spaced, offset in starts))
        spaced = False
    tokens: list[_Token] = []
    glue_next = False
    for piece in pieces:
        if tokens and not piece.spaced and (glue_next or piece.text[0] in _NO_LINE_START):
            tokens[-1] = tokens[-1]._replace(text=tokens[-1].text + piece.text)
        else:
            tokens.append(piece)
        glue_next = piece.text[-1] in _NO_LINE_END
    return tokens


def _split_long(tokens: list[_Token], width: int) -> list[_Token]:
    """Cut a piece wider than a line (a long Latin word, a glued group) into line-sized ones."""
    result: list[_Token] = []
    for token in tokens:
        while _columns(token.text, east_asian=True) > width:
            cut = 1
            while _columns(token.text[: cut + 1], east_asian=True) <= width:
                cut += 1
            result.append(token._replace(text=token.text[:cut]))
            token = _Token(token.text[cut:], spaced=False, phrase=False)
        result.append(token)
    return result


def _is_hiragana(char: str) -> bool:
    return "\u3041" <= char <= "\u309f"


def _is_katakana(char: str) -> bool:
    return "\u30a0" <= char <= "\u30ff" and char != "\u30fb"  # not the middle dot "・"


def _same_run(last: str, first: str) -> bool:
    """Both sides of a break inside one katakana word or one number."""
    return (_is_katakana(last) and _is_katakana(first)) or (last.isdigit() and first.isdigit())


# How much a line break costs, in lines' worth of slack: between phrases nothing, at the
# end of a run of kana or of Latin text (inside a long phrase: "カスタマーサクセス|の") half
# a line, inside a word two lines, so a word is cut only when it is wider than a line.
_PHRASE_BREAK, _SCRIPT_BREAK, _WORD_BREAK = 0.0, 0.5, 2.0


def _break_cost(before: _Token, after: _Token) -> float:
    """What a line ending between two pieces costs, by where it falls.

    At a space or after punctuation, and where BudouX starts a phrase ("成長と|変化を|
    楽しむ") unless that would cut a katakana word or a number in two: a phrase break.
    Where a run of kana ends or Latin text meets Japanese: a script break. Anywhere else,
    inside a word.
    """
    last, first = before.text[-1], after.text[0]
    if after.spaced or last in "・、。，．,.":
        return _PHRASE_BREAK
    if after.phrase and not _same_run(last, first):
        return _PHRASE_BREAK
    if (
        (_is_hiragana(last) and not _is_hiragana(first))
        or (_is_katakana(last) and not _is_katakana(first))
        or _is_wide(last) != _is_wide(first)
    ):
        return _SCRIPT_BREAK
    return _WORD_BREAK


def _wrap_cjk(text: str, width: int, max_lines: int) -> list[str] | None:
    """Break East Asian text in at most ``max_lines`` lines, or ``None`` if it cannot fit.

    A small dynamic programme over the break points (like TeX's, far simpler): each line
    costs its squared slack, so lines come out balanced, plus what its break costs
    (:func:`_break_cost`): a break inside a word costs more than a whole extra line.
    """
    tokens = _split_long(_cjk_tokens(text), width)
    if not tokens:
        return []
    columns = [_columns(token.text, east_asian=True) for token in tokens]
    count = len(tokens)
    line_cost = float(width * width)
    # best[(j, k)]: the cheapest way to set tokens[:j] in k lines, and where its last line starts.
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, -1)}
    for k in range(1, max_lines + 1):
        for j in range(1, count + 1):
            line = 0
            for i in range(j - 1, -1, -1):
                line += columns[i] + (1 if i < j - 1 and tokens[i + 1].spaced else 0)
                if line > width:
                    break
                previous = best.get((i, k - 1))
                if previous is None:
                    continue
                cost = previous[0] + (width - line) ** 2
                if i > 0:
                    cost += line_cost * _break_cost(tokens[i - 1], tokens[i])
                if (j, k) not in best or cost < best[(j, k)][0]:
                    best[(j, k)] = (cost, i)
    finished = [
        (best[(count, k)][0] + k * width * width, k)
        for k in range(1, max_lines + 1)
        if (count, k) in best
    ]
    if not finished:
        return None
    _, lines_count = min(finished)
    lines: list[str] = []
    j = count
    for k in range(lines_count, 0, -1):
        i = best[(j, k)][1]
        lines.append(
            "".join(
                (" " if token.spaced and n > i else "") + token.text
                for n, token in enumerate(tokens[i:j], start=i)
            )
        )
        j = i
    return lines[::-1]


def _wrap_cjk_greedy(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _split_long(_cjk_tokens(text), width):
        candidate = line + (" " if token.spaced and line else "") + token.text
        if line and _columns(candidate, east_asian=True) > width:
            lines.append(line)
            candidate = token.text
        line = candidate
    if line:
        lines.append(line)
    return lines


def _wrap_latin(text: str, width: int) -> list[str]:
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True)
    # textwrap may keep a space at a line's end ("< <<<" at 2 columns: "< ", "<<", "<").
    return [line.strip() for line in lines]


def _truncate(lines: list[str], width: int, max_lines: int, *, east_asian: bool) -> list[str]:
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    room = width - _columns(_ELLIPSIS, east_asian=east_asian)
    while last and _columns(last, east_asian=east_asian) > room:
        last = last[:-1]
    kept[-1] = last.rstrip() + _ELLIPSIS
    return kept


def _wrap_lines(text: str, width: int, max_lines: int) -> list[str]:
    if _has_wide(text):
        fitted = _wrap_cjk(text, width, max_lines)
        if fitted is not None:
            return fitted
        return _truncate(_wrap_cjk_greedy(text, width), width, max_lines, east_asian=True)
    lines = _wrap_latin(text, width)
    if 1 < len(lines) <= max_lines:
        # Balance the lines (as CSS `text-wrap: balance`): the narrowest width that needs
        # no more lines and cuts no word, so a label never ends with a lone word.
        for narrower in range(max(1, math.ceil(len(text) / len(lines))), width):
            balanced = textwrap.wrap(text, width=narrower, break_long_words=False)
            if len(balanced) == len(lines) and all(len(line) <= narrower for line in balanced):
                lines = balanced
                break
    return _truncate(lines, width, max_lines, east_asian=False)


def wrap_label(text: str, width: int, *, max_lines: int = 3) -> str:
    """Escape ``text`` for plotly and wrap it into lines of at most ``width`` columns.

    Plotly never wraps tick labels, legend entries or hover text, so they are wrapped here
    and joined with ``<br>``, the only markup that ever enters a figure. Text with East
    Asian wide characters (Japanese) is wrapped between characters, a wide character
    counting two columns, with the common kinsoku rules (no line starts with "、" or "ー"),
    preferring breaks between phrases ("長期的な|視点での|関係構築", found by BudouX) to
    a break inside a word, which happens only when a word is wider than a line;
    other text is wrapped at spaces and hyphens by :mod:`textwrap`. Lines are balanced
    (as even as possible for their number). Text that needs more than ``max_lines`` lines
    is cut and its last line ends with "…". Escaping happens after wrapping, so a line
    never ends inside an entity such as ``&amp;`` and widths count the characters as shown.
    """
    if width < 2:
        raise ValueError(f"a wrap width needs at least 2 columns, got {width}")
    if max_lines < 1:
        raise ValueError(f"max_lines must be ≥ 1, got {max_lines}")
    flat = " ".join(text.split())
    return "<br>".join(html.escape(line) for line in _wrap_lines(flat, width, max_lines))


# --------------------------------------------------------------------------------------------
# Text for each place in a figure
# --------------------------------------------------------------------------------------------


def _label_width(text: str) -> int:
    return _LABEL_WIDTH_CJK if _has_wide(text) else _LABEL_WIDTH_LATIN


def tick_label(text: str) -> str:
    """A trait label as a tick of the bar chart: up to three lines."""
    return wrap_label(text, _label_width(text), max_lines=_LABEL_LINES)


def hover_text(text: str) -> str:
    """A label, question or name in a hover box, where there is room for six lines."""
    return wrap_label(text, _HOVER_WIDTH, max_lines=_HOVER_LINES)


def legend_text(text: str) -> str:
    """A legend entry or an axis title, in two lines at most."""
    return wrap_label(text, _LEGEND_WIDTH, max_lines=2)


def display_columns(wrapped: str) -> int:
    """How many columns the widest line of a text from this module takes (a kanji counts
    2), to estimate how wide it is drawn."""
    lines = [html.unescape(line) for line in wrapped.split("<br>")]
    east_asian = _has_wide(wrapped)
    return max((_columns(line, east_asian=east_asian) for line in lines), default=0)


def plain_text(text: str) -> str:
    """Escaped but not wrapped, for the 3D scene."""
    # The 3D scene draws its titles on a canvas without decoding entities, so quotes stay
    # as they are; < > & are escaped all the same, for the hover labels, which are HTML.
    return html.escape(text, quote=False)


# --------------------------------------------------------------------------------------------
# The radar's axis labels
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Box:
    left: float
    right: float
    bottom: float
    top: float

    def overlaps(self, other: _Box) -> bool:
        pad = _LABEL_PADDING
        return (
            self.left < other.right + pad
            and other.left < self.right + pad
            and self.bottom < other.top + pad
            and other.bottom < self.top + pad
        )


def _label_box(wrapped: str, degrees: float, *, standoff: float = 0.0) -> _Box:
    """Where plotly puts an angular tick label around a radar of the phone's radius.

    Mirrors plotly.js (``polar.js`` and ``axes.js`` ``drawLabels``): the label stands
    ``standoff`` px outside the circle; its text starts there on the right half, ends
    there on the left half, is centred at the very top and bottom; its first baseline is
    pushed a line's height down on the lower half, and the block is lifted by its height
    on the upper half, by half of it at the sides. Pixels are estimates
    (:data:`_COLUMN_PX`), good enough to keep labels apart and to size the margins.
    """
    lines = [html.unescape(line) for line in wrapped.split("<br>")]
    east_asian = _has_wide(wrapped)
    column_px = _COLUMN_PX_CJK if east_asian else _COLUMN_PX
    width = max(_columns(line, east_asian=east_asian) for line in lines) * column_px
    angle = math.radians(90 - degrees)  # plotly's angle: counter-clockwise from the right
    cos, sin = math.cos(angle), math.sin(angle)
    x = (_PHONE_RADIUS + standoff) * cos
    # plotly.js centres within |cos| < 0.1 of the vertical, else starts or ends at the anchor.
    anchor = 0.5 if abs(cos) < 0.1 else 0.0 if cos > 0 else 1.0
    left = x - anchor * width
    # The first line's baseline, upwards from the centre (plotly's yFn and heightFn).
    below_line = 0.2 if sin > 0 else 1.0
    baseline = (
        _PHONE_RADIUS * sin
        + sin * (standoff + _FONT_PX * below_line)
        - abs(cos) * _FONT_PX * 0.35
        + 0.5 * (1 + sin) * (len(lines) - 1) * _LINE_PX
    )
    top = baseline + 0.9 * _FONT_PX  # a kanji fills its em box, above and below the baseline
    bottom = baseline - (len(lines) - 1) * _LINE_PX - 0.25 * _FONT_PX
    return _Box(left=left, right=left + width, bottom=bottom, top=top)


@dataclass(frozen=True, slots=True)
class RadarTicks:
    """The radar's wrapped axis labels and how far they reach beyond its circle (px):
    above its top, below its bottom, left and right of its sides."""

    text: list[str]
    above: float
    below: float
    left: float
    right: float


def _side_width(label: str) -> int:
    if _has_wide(label):
        return _RADAR_SIDE_CJK
    # A Latin word a little wider than a side label widens the label rather than being cut.
    longest = max((len(word) for word in label.split()), default=0)
    return max(_RADAR_SIDE_LATIN, min(longest, _RADAR_LONGEST_WORD))


def radar_ticktext(
    labels: Sequence[str], theta: Sequence[float], *, standoff: float = 0.0
) -> RadarTicks:
    """Wrap the radar's axis labels so that neighbours do not overlap on a phone.

    Each label starts from its most generous shape: half as wide again near the top and
    bottom (3 lines), or narrow with 4 lines at the sides, where there is height to spare
    and no width. While two neighbours would overlap around a radar of a phone's radius,
    one of the two steps down to a smaller shape: the one whose next shape is still whole,
    else the taller (fewer lines, ending in "…").
    ``standoff``: how far outside the circle plotly anchors the labels (px), so that
    they clear the markers on the outer ring.
    """
    shapes: list[list[str]] = []
    for label, degrees in zip(labels, theta, strict=True):
        width = _side_width(label)
        if abs(math.sin(math.radians(degrees))) < 0.6:  # within about 37° of top or bottom
            options = [(width * 3 // 2, 3), (width * 3 // 2, 2), (width, 3), (width, 2)]
        else:
            options = [(width, 4), (width, 3), (width, 2)]
        shapes.append([wrap_label(label, w, max_lines=lines) for w, lines in options])
    choice = [0] * len(labels)
    count = len(labels)

    def boxes_of(chosen: Sequence[str]) -> list[_Box]:
        return [
            _label_box(wrapped, degrees, standoff=standoff)
            for wrapped, degrees in zip(chosen, theta, strict=True)
        ]

    for _ in range(sum(len(options) for options in shapes)):
        boxes = boxes_of([shapes[i][choice[i]] for i in range(count)])
        clash = next(
            (
                (i, (i + 1) % count)
                for i in range(count)
                if count > 1 and boxes[i].overlaps(boxes[(i + 1) % count])
            ),
            None,
        )
        if clash is None:
            break
        shrinkable = [i for i in clash if choice[i] + 1 < len(shapes[i])]
        if not shrinkable:
            break
        # The one that can step down without being cut, else the taller of the two.
        step = max(
            shrinkable,
            key=lambda i: (
                _ELLIPSIS not in shapes[i][choice[i] + 1],
                boxes[i].top - boxes[i].bottom,
            ),
        )
        choice[step] += 1
    text = [shapes[i][choice[i]] for i in range(count)]
    boxes = boxes_of(text)
    return RadarTicks(
        text=text,
        above=max((box.top - _PHONE_RADIUS for box in boxes), default=0.0),
        below=max((-_PHONE_RADIUS - box.bottom for box in boxes), default=0.0),
        left=max((-_PHONE_RADIUS - box.left for box in boxes), default=0.0),
        right=max((box.right - _PHONE_RADIUS for box in boxes), default=0.0),
    )
