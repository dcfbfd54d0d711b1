"""Japanese text on a phone breaks between phrases, never inside a word.

At 390 px in Japanese, the partner list, a round's progress pages and its results: for each
occurrence of a word that must stay whole in the page's text, a Range over the word must
lie on one line (its boxes share one top). Chromium breaks the lines itself
(`word-break: auto-phrase` in fitcheck.css); the charts' labels, wrapped in Python, are
tested in tests/unit/test_chart_wrapping.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from .conftest import PHONE, sign_in_as_demo_owner
from .test_results_browser import translated, wait_for_charts

NewPage = Callable[..., Page]
# Words seen broken on a phone before ("クライアン/ト", "回答済/み", "リマイン/ド", "楽し/む",
# "責任/感"), and others the same pages show.
WHOLE_WORDS = [
    "クライアント",
    "回答済み",
    "リマインド",
    "楽しむ",
    "責任感",
    "パートナー",
    "アセスメント",
    "コミットメント",
    "自己評価",
    "ギャップ",
    "レビュー",
]

# Every occurrence of the words in the text the page shows (outside the charts, which
# plotly draws as SVG): whether a line ends inside it.
SPLIT_WORDS = """(words) => {
  const shown = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden') return false;
      // Visually hidden (a 1 px clipped box, as Bootstrap's .visually-hidden): not shown.
      if (style.clip !== 'auto' || (style.overflow !== 'visible'
          && (node.clientWidth <= 1 || node.clientHeight <= 1))) return false;
    }
    return true;
  };
  const found = {};
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, option, .fc-chart') || !shown(parent)) continue;
    for (const word of words) {
      for (let at = node.data.indexOf(word); at >= 0; at = node.data.indexOf(word, at + 1)) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
        if (!boxes.length) continue;
        found[word] = (found[word] || 0) + 1;
        const tops = boxes.map((box) => box.top);
        const lowest = Math.min(...boxes.map((box) => box.height));
        if (Math.max(...tops) - Math.min(...tops) > lowest / 2) {
          split.push({word, text: node.data.trim().slice(0, 60), tops});
        }
      }
    }
  }
  return {found, split};
}"""


def check_words_whole(page: Page, must_find: list[str]) -> dict[str, Any]:
    """No line ends inside a word of WHOLE_WORDS; each of ``must_find`` is on the page."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    result: dict[str, Any] = page.evaluate(SPLIT_WORDS, WHOLE_WORDS)
    assert result["split"] == [], f"words split across lines on {page.url}: {result['split']}"
    missing = [word for word in must_find if word not in result["found"]]
    assert missing == [], f"{missing} not shown on {page.url}: the check would hold nothing"
    return result


def test_japanese_words_stay_whole_on_a_phone(new_page: NewPage, demo_server: str) -> None:
    page = new_page(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
    sign_in_as_demo_owner(page, demo_server)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    check_words_whole(page, ["パートナー"])

    # A round still collecting answers: who answered, reminders.
    page.locator("#q").fill("Minato")
    page.locator("#q").press("Enter")
    page.get_by_role("link", name="Minato Logistics").click()
    collecting = page.locator("table tbody tr").filter(
        has_text=translated("Collecting answers", "ja")
    )
    expect(collecting).to_have_count(1)
    collecting.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    check_words_whole(page, ["クライアント", "回答済み", "リマインド", "レビュー"])

    # A revealed round: its progress page, then its results, tables and all.
    page.goto(f"{demo_server}/partners/")
    page.get_by_role("link", name="Kitahama Foods").click()
    revealed = page.locator("table tbody tr").filter(
        has_text=translated("Annual partnership review", "ja")
    )
    revealed.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    check_words_whole(page, ["クライアント", "回答済み"])
    page.get_by_role("link", name=translated("See the results", "ja")).click()
    wait_for_charts(page)
    found = check_words_whole(page, ["クライアント", "楽しむ", "責任感", "自己評価", "ギャップ"])
    # The trait table, the tightest place on the page, holds its share of them.
    assert found["found"]["楽しむ"] >= 2 and found["found"]["責任感"] >= 2, found["found"]
