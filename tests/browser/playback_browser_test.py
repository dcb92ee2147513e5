"""Attention over training: while Play runs, the epoch slider shows the epoch of the frame on screen.

The page is sampled every 50 ms during the animation: the slider's value and the heading's
"Epoch N of M" are read together; every sample must agree (a mismatch that is gone 150 ms later,
frames being 600 ms apart, is the two messages of one frame arriving apart), and the animation must show several epochs (it is
not judged on its last frame only).
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.app_browser_test import EXCEPTION, open_app, wait_for_run

pytestmark = pytest.mark.browser

# (the slider's value, the epoch of the heading) as the page shows them now
READ_JS = r"""() => {
  const main = document.querySelector("[data-testid='stMain']");
  const thumb = main.querySelector("[data-testid='stSlider'] [data-testid='stSliderThumbValue']");
  const heading = [...main.querySelectorAll('h4')].map(h => h.innerText).find(t => /^Epoch \d+ of \d+/.test(t));
  return [thumb ? thumb.innerText.trim() : null, heading ? /^Epoch (\d+)/.exec(heading)[1] : null];
}"""


def test_the_slider_follows_the_animation(server, open_page, errors):
    page = open_app(open_page, f"{server}/attention_over_training?model=assets/additive&epoch=1")
    page.get_by_role("button", name="Play").wait_for()
    assert page.evaluate(READ_JS) == ["1", "1"]
    page.get_by_role("button", name="Play").click()
    samples, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        slider, heading = page.evaluate(READ_JS)
        if slider != heading:  # a frame's heading and slider are two messages: a mismatch must outlast them
            page.wait_for_timeout(150)
            again = page.evaluate(READ_JS)
            if again[1] != heading:  # the next frame came meanwhile: this pair cannot be judged
                continue
            slider, heading = again
        if slider and heading:
            samples.append((slider, heading))
        if len({h for _, h in samples}) > 1 and page.evaluate(
            "() => !document.querySelector(\"[data-testid='stStatusWidget']\")"
        ):
            break
        page.wait_for_timeout(50)
    wait_for_run(page)
    assert page.locator(EXCEPTION).count() == 0
    shown = {h for _, h in samples}
    assert len(shown) >= 3, f"the animation showed epochs {sorted(shown)} only"
    disagree = [(s, h) for s, h in samples if s != h]
    assert not disagree, f"slider and heading disagree while playing: {disagree[:10]}"
    last = page.evaluate(READ_JS)
    assert last[0] == last[1] and re.fullmatch(r"\d+", last[0])
    assert not errors, errors
