"""The DOT source of the beam tree: tokens with quotes, backslashes or line breaks stay inside their labels."""

from __future__ import annotations

import re

from core.decoding.beam_search import BeamNode
from ui.beam_tree import beam_tree_dot, dot_escape, visible_nodes

QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)  # a DOT double-quoted string


def _node(step, beam, token, parent, log_prob, *, finished=False, rank=None, kept=False):
    return BeamNode(step, beam, 0, token, parent, log_prob, log_prob, finished, rank, kept)


TREE = [
    _node(0, 0, "tengo", None, -0.1, kept=True),
    _node(0, 1, 'say "hi"', None, -2.0),
    _node(1, 0, "frío", 0, -0.3, kept=True),
    _node(1, 1, "a\\b", 1, -2.5),
    _node(2, 0, "[END]", 1, -0.4, finished=True, rank=0, kept=True),
    _node(2, 1, "line\nbreak", 1, -2.9),
    _node(3, 0, "late", 1, -3.5),
]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _structure(dot: str) -> str:
    """The DOT source with every quoted string blanked: what is left must be plain syntax."""
    return QUOTED.sub('""', dot)


def test_dot_escape():
    assert dot_escape('say "hi"') == 'say \\"hi\\"'
    assert dot_escape("a\\b") == "a\\\\b"
    assert dot_escape("a\\") == "a\\\\"  # a trailing backslash cannot swallow the closing quote
    assert dot_escape("x\ny\r\nz") == "x\\ny\\nz"
    assert dot_escape("\\N") == "\\\\N"  # not Graphviz's node-name escape
    assert dot_escape("¿dónde?") == "¿dónde?"


def test_labels_hold_the_tokens_literally():
    dot = beam_tree_dot(TREE)
    labels = [_unescape(m) for m in re.findall(r'label="((?:[^"\\]|\\.)*)"', dot)]
    for node in TREE:
        assert any(label.startswith(node.token + "\n") for label in labels), node.token
    assert "[START]" in labels


def test_hostile_tokens_do_not_break_the_syntax():
    hostile = [
        _node(0, 0, '"]; evil -> x; a [label="', None, -1.0, kept=True),
        _node(1, 0, "\\", 0, -1.5, kept=True),
        _node(2, 0, '\\"', 0, -2.0, finished=True, rank=0, kept=True),
    ]
    dot = beam_tree_dot(hostile, start_label='"<start>"')
    structure = _structure(dot)
    assert '"' not in structure.replace('""', "")
    assert "evil" not in structure
    assert structure.count("{") == structure.count("}") == 1
    statements = [s.strip() for s in structure.strip().removeprefix("digraph beam {").removesuffix("}").split(";")]
    node_ids = {"start", "n0_0", "n1_0", "n2_0"}
    for statement in filter(None, statements):
        head = statement.split("[")[0].strip()
        names = [part.strip() for part in head.split("->")]
        assert all(
            n in node_ids or n in ("rankdir=LR", "nodesep=0.08", "ranksep=0.3", "node", "edge") for n in names
        ), statement


def test_tree_shape_and_marks():
    dot = beam_tree_dot(TREE, highlight={(0, 0), (1, 0), (2, 0)})
    assert "start -> n0_0" in dot and "start -> n0_1" in dot
    assert "n0_0 -> n1_0" in dot and "n0_1 -> n1_1" in dot and "n1_1 -> n2_1" in dot
    assert re.search(r'^  n2_0 \[.*peripheries="2"', dot, re.M)  # finished: double border
    assert "#1" in dot  # its rank
    assert dot.count("#E69F00") >= 3  # the highlighted path


def test_cut_and_pruned_filters():
    assert [n.key for n in visible_nodes(TREE, last_step=2)] == [n.key for n in TREE[:-1]]
    kept = visible_nodes(TREE, pruned=False)
    assert [n.key for n in kept] == [(0, 0), (1, 0), (2, 0)]
    dot = beam_tree_dot(TREE, last_step=2, pruned=False)
    assert "n3_0" not in dot and "n0_1" not in dot
    # an edge only links drawn nodes
    for source, target in re.findall(r"(\w+) -> (\w+)", dot):
        assert source in ("start", "n0_0", "n1_0") and target in ("n0_0", "n1_0", "n2_0")
