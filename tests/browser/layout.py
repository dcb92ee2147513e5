"""What the class-size browser tests measure on a page, in one JavaScript call each.

``LAYOUT_JS`` returns the main area's widths, every truncated button, widget or navigation label, every discrete
chart axis whose rendered labels are fewer than its values, and every legend or chart that
reaches past the window's right edge. ``SELECTIONS_JS`` reads the choices a page shows.
"""

from __future__ import annotations

LAYOUT_JS = r"""() => {
  const main = document.querySelector("[data-testid='stMain']");
  const onScreen = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > 0 && r.left < innerWidth; };
  const shown = el => (el.offsetParent !== null || el.getClientRects().length > 0) && onScreen(el);  // not a closed sidebar
  const clipped = el => {
    const s = getComputedStyle(el);
    return el.scrollWidth > el.clientWidth + 1 && (s.overflowX !== 'visible' || s.textOverflow === 'ellipsis');
  };
  const truncated = [...document.querySelectorAll("button")].filter(shown)
    .filter(b => b.innerText.trim() && [b, ...b.querySelectorAll('*')].some(clipped))
    .map(b => b.innerText.trim());
  const labels = [...document.querySelectorAll(
      "[data-testid='stWidgetLabel'] p, [data-testid='stSidebarNavLink'] span, [data-testid='stMetricValue'] div")]
    .filter(shown).filter(clipped).map(e => e.innerText.trim());
  const axes = [];
  for (const axis of document.querySelectorAll("[data-testid='stVegaLiteChart'] .role-axis")) {
    const m = /discrete scale with (\d+) value/.exec(axis.getAttribute('aria-label') || '');
    if (!m) continue;
    const labels = [...axis.querySelectorAll('.role-axis-label text')]
      .filter(t => t.textContent.trim() && t.getAttribute('opacity') !== '0' && getComputedStyle(t).opacity !== '0');
    axes.push({label: axis.getAttribute('aria-label').slice(0, 80), values: +m[1], rendered: labels.length});
  }
  const outside = el => { const r = el.getBoundingClientRect(); return r.width > 0 && (r.left < -1 || r.right > innerWidth + 1); };
  const legends = [...document.querySelectorAll("[data-testid='stVegaLiteChart'] .role-legend")].filter(outside)
    .map(l => (l.getAttribute('aria-label') || 'legend').slice(0, 60));
  const wide = [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
    .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => [c.scrollWidth, c.clientWidth]);
  return {scrollWidth: main.scrollWidth, clientWidth: main.clientWidth, truncated, labels, axes, legends, wide,
          charts: document.querySelectorAll("[data-testid='stVegaLiteChart'] svg").length};
}"""

# the index of every checked radio (by group), the text of every select box, in page order
SELECTIONS_JS = r"""() => ({
  radios: [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stRadio']")].map(
    g => [...g.querySelectorAll('input')].findIndex(i => i.checked)),
  selects: [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stSelectbox'] [data-baseweb='select']")]
    .map(s => s.innerText.trim()),
})"""
