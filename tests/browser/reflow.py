"""Reflow checks (WCAG 1.4.10) for any page: axe at 1280 px and at 375 px, no horizontal scroll on the page
itself at 375 px (a wide table scrolls inside its own region instead), stacked tables that keep their
headings, and chart text that stays readable (at least 12 CSS px, as rendered: an SVG scaled down
shrinks its text with it)."""

from __future__ import annotations

from typing import Any

from .conftest import check_page

PHONE = {"width": 375, "height": 812}
MIN_CHART_TEXT_PX = 12

# The innermost elements that reach past the window's right edge, to say what scrolls.
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))"""

# The rendered size of every piece of chart text: HTML text by its computed size; SVG text by its size
# times the SVG's scale on screen (what a reader sees).
CHART_TEXT = """(() => {
  const sizes = [];
  for (const chart of document.querySelectorAll('.app-chart, svg')) {
    const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el.getClientRects().length) continue;
      let px = parseFloat(getComputedStyle(el).fontSize);
      if (el instanceof SVGElement && el.getScreenCTM) px *= el.getScreenCTM().a;
      sizes.push([px, node.textContent.trim().slice(0, 40)]);
    }
  }
  return sizes;
})()"""


# Cells of a stacked table (NHS.UK's responsive table, one row per block on a phone) that show no
# heading: stacked, a number without its column heading means nothing.
HEADLESS_CELLS = """[...document.querySelectorAll('table.nhsuk-table-responsive td')]
  .filter(td => td.getClientRects().length)
  .filter(td => { const h = td.querySelector('.nhsuk-table-responsive__heading');
                  return !h || !h.getClientRects().length; })
  .slice(0, 5).map(td => (td.textContent || '').trim().slice(0, 40))"""


def chart_text_sizes(page: Any) -> list[tuple[float, str]]:
    return [(float(px), text) for px, text in page.evaluate(CHART_TEXT)]


def check_reflow(page: Any, name: str) -> None:
    """axe at the desktop width; then at 375 px: axe again, no sideways scroll, readable chart text."""
    check_page(page, name)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(WIDEST) if overflow > 0 else []
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375px ({page.url}): {wide}"
        small = [(px, text) for px, text in chart_text_sizes(page) if px < MIN_CHART_TEXT_PX]
        assert not small, f"{name}: chart text under {MIN_CHART_TEXT_PX}px at 375px: {small[:5]}"
        headless = page.evaluate(HEADLESS_CELLS)
        assert not headless, f"{name}: stacked table cells without their heading at 375px: {headless}"
        check_page(page, f"{name}-375")
    finally:
        page.set_viewport_size(size)
