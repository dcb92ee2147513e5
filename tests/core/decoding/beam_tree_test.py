"""The tree of a beam search's expansions: consistent with itself, with the n-best list and with greedy search.

Untrained tiny models are enough for consistency (whatever they say, the tree must explain
it); a wide beam over a small vocabulary makes sure some hypotheses finish early.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.decoding import Translator
from core.decoding.beam_search import length_penalty
from core.text.vocab import END

SENTENCES = ["I am cold.", "She is tall and I am hot."]


@pytest.fixture(scope="module", params=["additive", "transformer"])
def translator(request, tiny_translator) -> Translator:
    return tiny_translator(request.param, seed=11)


@pytest.fixture(scope="module")
def trees(translator):
    """Trees for every sentence at widths 3 and 8 (8 = every word of the tiny vocabulary, the end token too)."""
    return [(s, k, translator.beam_tree(s, beam_width=k, alpha=0.6)) for s in SENTENCES for k in (3, 8)]


def test_nodes_are_unique_and_parents_exist(trees):
    for sentence, k, tree in trees:
        by_key = {n.key: n for n in tree.nodes}
        assert len(by_key) == len(tree.nodes), sentence
        for n in tree.nodes:
            assert 0 <= n.beam < 2 * k  # its rank among the step's 2k best extensions
            assert not n.finished or n.beam < k, "only an end token among the k best finishes a hypothesis"
            if n.step == 0:
                assert n.parent is None and n.parent_key is None
            else:
                parent = by_key[n.parent_key]  # exists
                assert not parent.finished, "a finished hypothesis is never extended"
                assert n.log_prob <= parent.log_prob + 1e-5  # every token costs probability
            assert n.finished == (n.token == END)
            np.testing.assert_allclose(n.score, n.log_prob / length_penalty(n.step + 1, 0.6), rtol=1e-6)
        steps = [n.step for n in tree.nodes]
        assert steps == sorted(steps)
        for step in set(steps):  # at most k live and k finished extensions per step
            assert sum(n.step == step and not n.finished for n in tree.nodes) <= k
            assert sum(n.step == step and n.finished for n in tree.nodes) <= k


def test_final_paths_reproduce_the_nbest_list(trees):
    finished_seen = 0
    for sentence, k, tree in trees:
        assert len(tree.nbest) == len(tree.ends) == k
        for rank, hyp in enumerate(tree.nbest):
            path = tree.path(rank)
            assert path, (sentence, rank)
            last = path[-1]
            assert last.rank == rank and last.key == tree.ends[rank]
            assert [n.step for n in path] == list(range(len(path)))
            for child, parent in zip(path[1:], path[:-1], strict=False):
                assert child.parent == parent.beam
            tokens = [n.token for n in path]
            if last.finished:
                finished_seen += 1
                assert tokens == [*hyp.target_tokens, END]
            else:
                assert tokens == hyp.target_tokens
                assert len(path) == tree.last_step + 1  # unfinished ones run to the last step
            assert last.log_prob == pytest.approx(hyp.log_prob, abs=1e-4)
            assert last.score == pytest.approx(hyp.score, abs=1e-4)
            # the per-token probabilities are the ratios of consecutive cumulative probabilities
            cumulative = np.array([0.0] + [n.log_prob for n in path])
            steps = np.exp(np.diff(cumulative))[: len(hyp.target_tokens)]
            np.testing.assert_allclose(steps, hyp.probabilities, rtol=1e-3, atol=1e-5)
    assert finished_seen, "the wide beams should finish some hypotheses"


def test_kept_nodes_are_exactly_the_nbest_paths(trees):
    for _, _, tree in trees:
        on_paths = {n.key for rank in range(len(tree.nbest)) for n in tree.path(rank)}
        assert {n.key for n in tree.nodes if n.kept} == on_paths
        assert sorted(n.rank for n in tree.nodes if n.rank is not None) == list(range(len(tree.nbest)))
        assert tree.last_step == max(key[0] for key in tree.ends)
        assert any(not n.kept for n in tree.nodes), "a beam wider than 1 prunes something"


def test_nbest_matches_nbest(translator):
    for sentence in SENTENCES:
        tree = translator.beam_tree(sentence, beam_width=3, alpha=0.6)
        plain = translator.nbest(sentence, beam_width=3, alpha=0.6)
        assert [h.target_tokens for h in tree.nbest] == [h.target_tokens for h in plain]
        assert [h.score for h in tree.nbest] == pytest.approx([h.score for h in plain])
        for a, b in zip(tree.nbest, plain, strict=True):
            np.testing.assert_allclose(a.attention, b.attention, atol=1e-6)


@pytest.mark.slow  # traces decoding for every architecture
def test_width_one_is_the_greedy_chain(translator):
    for sentence in SENTENCES:
        greedy = translator.translate(sentence)
        tree = translator.beam_tree(sentence, beam_width=1, alpha=0.0)
        path = tree.path(0)
        assert [n.beam for n in path] == [0] * len(path)  # the most probable extension at every step
        assert [n.step for n in path] == list(range(len(path)))
        assert [n for n in tree.nodes if n.kept] == path
        # when the chain ends, the runner-up refills the live slot, and is pruned: it cannot beat it
        others = [n for n in tree.nodes if not n.kept]
        assert len(others) <= 1 and all(n.step == path[-1].step and not n.finished for n in others)
        assert path[-1].finished or not others
        tokens = [n.token for n in path]
        ended = len(tokens) == len(greedy.target_tokens) + 1
        assert tokens == [*greedy.target_tokens, END] if ended else tokens == greedy.target_tokens
        assert tree.nbest[0].target_tokens == greedy.target_tokens
        expected = np.cumsum(np.log(greedy.probabilities))
        np.testing.assert_allclose([n.log_prob for n in path][: len(expected)], expected, atol=1e-4)


def test_empty_sentence_has_no_tree(translator):
    tree = translator.beam_tree("  ", beam_width=4)
    assert tree.nodes == [] and tree.ends == [None] and tree.last_step == -1
    assert tree.nbest[0].target_tokens == [] and tree.path(0) == []
    with pytest.raises(IndexError, match="rank 1 out of range"):
        tree.path(1)
    with pytest.raises(KeyError, match="step 0, beam 0"):
        tree.node((0, 0))


def test_trained_model_tree(overfit_translator):
    """On a model that learnt the pairs, the best hypothesis is the learnt one and ends with the end token."""
    tree = overfit_translator.beam_tree("I am cold.", beam_width=4, alpha=0.6)
    assert tree.nbest[0].text == "Tengo frío."
    path = tree.path(0)
    assert [n.token for n in path] == ["tengo", "frío", ".", END]
    assert path[-1].finished and path[-1].rank == 0
    assert tree.last_step == max(key[0] for key in tree.ends)
