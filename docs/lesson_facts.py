"""The placeholders of the lesson document: the constants of its pages and of the tests that hold them."""

from __future__ import annotations

from docs.facts import Facts, constant, fact, length

FIRST_SCREEN = "tests/browser/first_screen_browser_test.py"
CLEAN_STOP = "tests/ui/clean_stop_test.py"


def _words(name: str) -> str:
    return str(len(constant(FIRST_SCREEN, name).split()))


@fact
def lesson_pages_visited(f: Facts) -> str:
    """The pages the lesson's browser test opens through the sidebar after Translate."""
    return str(length("tests/browser/lesson_browser_test.py", "OTHERS"))


@fact
def first_screen_long_words(f: Facts) -> str:
    return _words("TWELVE")


@fact
def first_screen_longest_words(f: Facts) -> str:
    return _words("TWENTY")


@fact
def first_screen_sizes(f: Facts) -> str:
    """The window sizes whose first screen is measured, presentation mode named."""
    sizes = [
        f"{w}×{h}" + (" in presentation mode" if present else "")
        for w, h, present, measured in constant(FIRST_SCREEN, "SIZES").values()
        if measured
    ]
    return ", ".join(sizes[:-1]) + f" and at {sizes[-1]}" if len(sizes) > 1 else sizes[0]


@fact
def fit_widths(f: Facts) -> str:
    """The window widths the browser test checks every chart's fit at."""
    widths = [str(w) for w, _, _, _ in constant(FIRST_SCREEN, "SIZES").values()]
    return ", ".join(widths[:-1]) + f" and {widths[-1]}" if len(widths) > 1 else widths[0]


@fact
def label_slant(f: Facts) -> str:
    return f"{constant('ui/panels.py', 'SLANT'):g}°".replace("-", "−")


@fact
def label_line(f: Facts) -> str:
    return f"{constant('ui/panels.py', 'LINE'):g}"


@fact
def clean_stop_tries(f: Facts) -> str:
    return str(length(CLEAN_STOP, "DELAYS_S"))


@fact
def clean_stop_exit(f: Facts) -> str:
    return f"{constant(CLEAN_STOP, 'EXIT_S'):g} s"


@fact
def clean_stop_script_status(f: Facts) -> str:
    return str(constant(CLEAN_STOP, "SCRIPT_STATUS"))
