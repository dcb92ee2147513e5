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

# The page's first screen: the window's height, the top of the first heading (h3, the translation) and of every
# chart in the main area, in page coordinates (scrolled to the top).
FIRST_SCREEN_JS = r"""() => {
  scrollTo(0, 0);
  const main = document.querySelector("[data-testid='stMain']");
  const top = el => Math.round(el.getBoundingClientRect().top + scrollY);
  const heading = main.querySelector("h3");
  const sidebar = document.querySelector("[data-testid='stSidebar']");
  return {viewport: innerHeight, heading: heading ? top(heading) : null,
          sidebarOpen: !!sidebar && sidebar.getBoundingClientRect().right > 10,
          charts: [...main.querySelectorAll("[data-testid='stVegaLiteChart']")].map(top)};
}"""

# Every chart of the main area against the block it sits in: the width its SVG drew, the width of the chart's
# own box and of the block around it (a column, or the main area), and whether the chart's box scrolls
# sideways with a scrollbar. A legend whose box reaches past the chart's visible box is counted as cut.
CHART_FIT_JS = r"""() => [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stVegaLiteChart']")]
  .filter(c => c.querySelector('svg')).map(c => {
    const svg = c.querySelector('svg').getBoundingClientRect();
    const block = c.closest("[data-testid='stElementContainer']").parentElement;
    const box = c.getBoundingClientRect();
    const s = getComputedStyle(c);
    const scrolls = c.scrollWidth > c.clientWidth + 1 && ['auto', 'scroll'].includes(s.overflowX);
    const cut = [...c.querySelectorAll('.role-legend')].filter(l => {
      const r = l.getBoundingClientRect(); return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
    }).length;
    const label = (c.querySelector('svg').getAttribute('aria-label') || '').slice(0, 60);
    return {drawn: Math.round(svg.width), box: Math.round(c.clientWidth), block: Math.round(block.clientWidth),
            scrolls, legendsCut: cut, label};
  })"""

# Pairs of texts that overlap inside one chart: axis labels of one axis, legend labels, the numbers on the
# marks. Each text is its line box (its drawn width, one font size high, around its middle) turned as drawn
# (rotated labels included); two boxes overlap when no axis separates them (by more than half a pixel).
OVERLAP_JS = r"""() => {
  const corners = t => {
    const b = t.getBBox(), m = t.getScreenCTM();
    if (!m || b.width === 0) return null;
    const size = parseFloat(getComputedStyle(t).fontSize) || b.height, mid = b.y + b.height / 2;
    const y0 = mid - size / 2, y1 = mid + size / 2;
    const p = (x, y) => ({x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f});
    return [p(b.x, y0), p(b.x + b.width, y0), p(b.x + b.width, y1), p(b.x, y1)];
  };
  const separated = (a, b) => {
    for (const poly of [a, b]) for (let i = 0; i < 4; i++) {
      const p = poly[i], q = poly[(i + 1) % 4], nx = q.y - p.y, ny = p.x - q.x;
      const proj = P => P.map(v => v.x * nx + v.y * ny), len = Math.hypot(nx, ny) || 1;
      const A = proj(a), B = proj(b);
      if ((Math.min(...B) - Math.max(...A)) / len > -0.5 || (Math.min(...A) - Math.max(...B)) / len > -0.5) return true;
    }
    return false;
  };
  const found = [];
  const groups = "[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg .role-axis-label, " +
    "[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg .role-legend-label, " +
    "[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg .mark-text";
  for (const g of document.querySelectorAll(groups)) {
    const texts = [...g.querySelectorAll('text')].filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== '0')
      .map(t => [t.textContent, corners(t)]).filter(([, c]) => c);
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++)
      if (!separated(texts[i][1], texts[j][1])) found.push(`${texts[i][0]} / ${texts[j][0]}`);
  }
  return found;
}"""
