"""The words a Vega-Lite spec puts on screen: titles, axis and legend titles, tooltip titles, legend labels.

A channel without a title shows its field name (``x: {field: "probability"}`` is titled
"probability"), a tooltip entry without one shows its field, and a colour scale's domain
is the legend's labels; data values (tokens, model names) are not counted.
"""

from __future__ import annotations

import json
from pathlib import Path

LOCALES = Path(__file__).resolve().parents[1] / "ui" / "locales"
TITLED = ("axis", "legend", "header")  # parts of a channel that may carry its title
UNTITLED = ("text", "detail", "order", "key", "href", "description", "x2", "y2")  # channels that show no title


def english_only() -> set[str]:
    """English catalogue strings that the Chinese catalogue says differently (placeholders stripped)."""
    en = json.loads((LOCALES / "en.json").read_text(encoding="utf-8"))
    zh = json.loads((LOCALES / "zh.json").read_text(encoding="utf-8"))
    return {v for k, v in en.items() if zh.get(k) != v and "{" not in v and v.strip()}


def _channel_texts(channel: dict) -> list[str]:
    titles = [channel.get("title")] + [
        (channel.get(part) or {}).get("title") if isinstance(channel.get(part), dict) else None for part in TITLED
    ]
    given = [t for t in titles if t is not None]
    shown = []
    if "title" in channel or any(isinstance(channel.get(p), dict) and "title" in channel[p] for p in TITLED):
        shown += [t for t in given if isinstance(t, str)]
    elif "field" in channel and channel.get("axis", {}) is not None and channel.get("legend", {}) is not None:
        shown.append(channel["field"])  # untitled: Vega-Lite titles it with the field name
    scale = channel.get("scale")
    if isinstance(scale, dict) and channel.get("legend", {}) is not None:
        shown += [d for d in scale.get("domain", []) if isinstance(d, str)]
    return shown


def shown_strings(spec: dict | str) -> set[str]:
    """Every string ``spec`` shows as a title, an axis/legend title, a tooltip title or a legend label."""
    spec = json.loads(spec) if isinstance(spec, str) else spec
    found: set[str] = set()

    def walk(node, key=None):
        if isinstance(node, dict):
            if key in ("datasets", "data"):
                return
            for k, v in node.items():
                if k == "title" and key != "encoding":
                    if isinstance(v, str):
                        found.add(v)
                    elif isinstance(v, dict) and isinstance(v.get("text"), str):
                        found.add(v["text"])
                elif k == "encoding" and isinstance(v, dict):
                    for name, channel in v.items():
                        if name in UNTITLED:
                            continue
                        for ch in channel if isinstance(channel, list) else [channel]:
                            if isinstance(ch, dict):
                                found.update(_channel_texts(ch))
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)

    walk(spec)
    return found
