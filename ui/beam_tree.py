"""The tree of a beam search's expansions as a Graphviz DOT string (for ``st.graphviz_chart``).

Read left to right: the start token, then one column per decoder step holding the extensions
the beam kept there (its ``k`` live hypotheses and those that ended), each linked to the node it
extends. Nodes on the path of an n-best hypothesis are blue, the path of the highlighted
hypothesis orange, pruned branches grey; finished nodes (the end token) have a double border
and, when they made the n-best list, their rank. Colours are from the Okabe–Ito palette
(colour-blind safe).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from core.decoding.beam_search import BeamNode

KEPT, HIGHLIGHT, PRUNED = "#56B4E9", "#E69F00", "#EEEEEE"
START = "start"


def dot_escape(text: str) -> str:
    """``text`` safe inside a double-quoted DOT string, shown literally in a label.

    Backslashes and quotes are escaped; line breaks become Graphviz's ``\\n`` so a token can
    never end the string, start a new statement, or be read as a label escape (``\\N``, ``\\G``…).
    """
    return (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )


def _node_id(key: tuple[int, int]) -> str:
    return f"n{key[0]}_{key[1]}"


def visible_nodes(nodes: Sequence[BeamNode], last_step: int | None = None, pruned: bool = True) -> list[BeamNode]:
    """The nodes to draw: up to ``last_step`` (all when ``None``), without pruned ones unless ``pruned``."""
    return [n for n in nodes if (last_step is None or n.step <= last_step) and (pruned or n.kept)]


def beam_tree_dot(
    nodes: Sequence[BeamNode],
    *,
    last_step: int | None = None,
    highlight: Collection[tuple[int, int]] = (),
    pruned: bool = True,
    start_label: str = "[START]",
    tooltip: Callable[[BeamNode], str] | None = None,
    font_size: int = 11,
) -> str:
    """DOT source of the expansion tree of ``nodes`` (see :class:`core.decoding.beam_search.BeamNode`).

    ``last_step`` cuts the tree after the last step worth showing (e.g. the last step any n-best
    hypothesis used); ``highlight`` holds the ``(step, beam)`` keys of the path to draw in orange;
    ``pruned=False`` leaves out every branch that did not reach the n-best list. Each node shows
    its token and cumulative log-probability; ``tooltip`` gives its hover text.
    """
    shown = visible_nodes(nodes, last_step, pruned)
    keys = {n.key for n in shown}
    highlight = set(highlight)
    lines = [
        "digraph beam {",
        "  rankdir=LR;",
        "  nodesep=0.08; ranksep=0.3;",
        f'  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize={int(font_size)}, '
        'margin="0.06,0.03", height=0.3];',
        "  edge [arrowsize=0.4];",
        f'  {START} [label="{dot_escape(start_label)}", shape=ellipse, fillcolor="{KEPT}"];',
    ]
    for n in shown:
        label = f"{n.token}\n{n.log_prob:.2f}"
        if n.rank is not None:
            label += f"\n#{n.rank + 1}"
        attrs = {"label": label, "tooltip": tooltip(n) if tooltip else f"{n.token} {n.log_prob:.3f}"}
        if n.key in highlight:
            attrs.update(fillcolor=HIGHLIGHT, penwidth="2")
        elif n.kept:
            attrs.update(fillcolor=KEPT)
        else:
            attrs.update(fillcolor=PRUNED, fontcolor="#666666", color="#AAAAAA")
        if n.finished:
            attrs["peripheries"] = "2"
        body = ", ".join(f'{name}="{dot_escape(value)}"' for name, value in attrs.items())
        lines.append(f"  {_node_id(n.key)} [{body}];")
    for n in shown:
        parent = n.parent_key
        if parent is not None and parent not in keys:
            continue
        source = START if parent is None else _node_id(parent)
        if n.key in highlight:
            style = f'color="{HIGHLIGHT}", penwidth=2.5'
        elif n.kept:
            style = 'color="#333333", penwidth=1.2'
        else:
            style = 'color="#BBBBBB", style=dashed'
        lines.append(f"  {source} -> {_node_id(n.key)} [{style}];")
    lines.append("}")
    return "\n".join(lines)
