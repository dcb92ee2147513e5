"""The recurrent model with Luong attention: dot, general, concat, local-p, and input feeding."""

from __future__ import annotations

import re
import time

import keras
import numpy as np
import pytest

from core.decoding import Translator
from core.models import build_model
from core.models.seq2seq import Seq2SeqAttention
from core.text.vocab import Vocabulary
from core.train.losses import masked_loss

SRC_V, TGT_V = 30, 40
CASES = {
    "dot": dict(arch="dot"),
    "general": dict(arch="general"),
    "concat": dict(arch="concat"),
    "local-p": dict(arch="local-p", window=2),
    "general+feed": dict(arch="general", input_feeding=True),
    "local-p+feed": dict(arch="local-p", window=2, input_feeding=True),
}


def _batch():
    # 3 sentences; source lengths 5, 3, 1 and target lengths 4, 6, 2 (0 = padding)
    src = np.array([[5, 6, 7, 8, 9], [10, 11, 12, 0, 0], [13, 0, 0, 0, 0]], dtype="int32")
    tgt_in = np.array([[2, 4, 5, 6, 0, 0], [2, 7, 8, 9, 10, 11], [2, 12, 0, 0, 0, 0]], dtype="int32")
    tgt_out = np.array([[4, 5, 6, 3, 0, 0], [7, 8, 9, 10, 11, 3], [12, 3, 0, 0, 0, 0]], dtype="int32")
    return src, tgt_in, tgt_out


@pytest.fixture(params=list(CASES))
def case(request, tiny_config):
    """(name, config, model) for each Luong variant; sizes 8/8/16 so that dot fits (16 = 2 · 8)."""
    config = tiny_config(SRC_V, TGT_V, **CASES[request.param])
    keras.utils.set_random_seed(1)
    return request.param, config, build_model(config)


def test_build_model_shapes_and_attention(case):
    name, config, model = case
    assert isinstance(model, Seq2SeqAttention)
    src, tgt_in, _ = _batch()
    logits, weights = model((src, tgt_in), return_attention_scores=True)
    logits, weights = np.asarray(logits), np.asarray(weights)
    assert logits.shape == (3, 6, TGT_V)
    assert weights.shape == (3, 6, 5)
    assert np.all(np.isfinite(logits))
    pad = np.broadcast_to((src == 0)[:, None, :], weights.shape)
    assert np.all(weights[pad] == 0.0)
    if config.arch == "local-p":  # not renormalised: at most 1
        assert np.all(weights.sum(-1) <= 1.0 + 1e-6)
        np.testing.assert_allclose(weights[2, :, 0], 1.0, atol=1e-6)  # one real token: centre 0, Gaussian 1
    else:
        np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(model((src, tgt_in))), logits)


def test_decode_step_matches_teacher_forced_call(case):
    _, config, model = case
    src, tgt_in, _ = _batch()
    if model.predicts_positions:
        logits, weights, positions = (np.asarray(x) for x in model((src, tgt_in), return_positions=True))
    else:
        logits, weights = (np.asarray(x) for x in model((src, tgt_in), return_attention_scores=True))
    memory, state = model.init_decoding(src)
    expected_keys = {"h", "feed"} if config.input_feeding else {"h"}
    assert set(state) == expected_keys
    for t in range(tgt_in.shape[1]):
        step_logits, new_state, attention = model.decode_step(tgt_in[:, t], t, memory, state)
        assert set(new_state) == set(state)
        for k in state:
            assert tuple(new_state[k].shape) == tuple(state[k].shape) == (3, config.decoder_units)
        state = new_state
        real = tgt_in[:, t] != 0  # rows whose whole history so far is real tokens
        np.testing.assert_allclose(np.asarray(step_logits)[real], logits[real, t], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(np.asarray(attention["cross"])[real], weights[real, t], rtol=1e-4, atol=1e-6)
        if model.predicts_positions:
            assert set(attention) == {"cross", "position"}
            assert tuple(attention["position"].shape) == (3,)
            np.testing.assert_allclose(
                np.asarray(attention["position"])[real], positions[real, t], rtol=1e-4, atol=1e-5
            )
        else:
            assert set(attention) == {"cross"}


def test_save_and_load_weights_round_trip(case, tmp_path):
    _, config, model = case
    src, tgt_in, _ = _batch()
    expected = np.asarray(model((src, tgt_in)))
    path = tmp_path / "model.weights.h5"
    model.save_weights(str(path))
    keras.utils.set_random_seed(99)
    fresh = build_model(config)
    assert not np.allclose(np.asarray(fresh((src, tgt_in))), expected)  # really a different init
    fresh.load_weights(str(path))
    np.testing.assert_array_equal(np.asarray(fresh((src, tgt_in))), expected)


def test_source_padding_does_not_change_the_output(case):
    _, _, model = case
    src, tgt_in, _ = _batch()
    wide = np.concatenate([src, np.zeros((3, 3), dtype="int32")], axis=1)
    np.testing.assert_allclose(
        np.asarray(model((wide, tgt_in))), np.asarray(model((src, tgt_in))), rtol=1e-5, atol=1e-5
    )


def test_positions_only_for_local_p(tiny_config):
    src, tgt_in, _ = _batch()
    keras.utils.set_random_seed(3)
    local = build_model(tiny_config(SRC_V, TGT_V, arch="local-p", window=2))
    logits, weights, positions = (np.asarray(x) for x in local((src, tgt_in), return_positions=True))
    assert logits.shape == (3, 6, TGT_V) and weights.shape == (3, 6, 5) and positions.shape == (3, 6)
    last = ((src != 0).sum(-1) - 1)[:, None]  # index of each sentence's last real token
    assert np.all(positions >= 0.0) and np.all(positions <= last + 1e-5)
    np.testing.assert_array_equal(positions[2], 0.0)
    general = build_model(tiny_config(SRC_V, TGT_V, arch="general"))
    assert not general.predicts_positions
    with pytest.raises(ValueError, match="'general' predicts no positions"):
        general((src, tgt_in), return_positions=True)


def test_dot_needs_matching_sizes(tiny_config):
    with pytest.raises(ValueError, match=r"decoder_units \(20\).*2 \* encoder_units \(16\)"):
        Seq2SeqAttention(tiny_config(SRC_V, TGT_V, arch="dot", encoder_units=8, decoder_units=20))


def test_transformer_is_not_a_recurrent_model(tiny_config):
    with pytest.raises(ValueError, match="not arch 'transformer'"):
        Seq2SeqAttention(tiny_config(SRC_V, TGT_V, arch="transformer"))


# the weight layout of the first (additive) models: names and order that saved weight files key on
ADDITIVE_LAYOUT = [
    "src_embedding/embeddings",
    "encoder/forward_gru/gru_cell/kernel",
    "encoder/forward_gru/gru_cell/recurrent_kernel",
    "encoder/forward_gru/gru_cell/bias",
    "encoder/backward_gru/gru_cell/kernel",
    "encoder/backward_gru/gru_cell/recurrent_kernel",
    "encoder/backward_gru/gru_cell/bias",
    "bridge/kernel",
    "bridge/bias",
    "tgt_embedding/embeddings",
    "decoder/gru_cell/kernel",
    "decoder/gru_cell/recurrent_kernel",
    "decoder/gru_cell/bias",
    "attention/w1/kernel",
    "attention/w2/kernel",
    "attention/v/kernel",
    "combine/kernel",
    "output/kernel",
    "output/bias",
]


def test_additive_keeps_its_weight_layout(tiny_config):
    model = build_model(tiny_config(SRC_V, TGT_V))
    # drop the model's own name and the _N suffixes Keras adds to repeated layer names
    paths = [re.sub(r"_\d+(?=/)", "", v.path.split("/", 1)[1]) for v in model.weights]
    assert paths == ADDITIVE_LAYOUT
    assert type(model.attention).__name__ == "AdditiveAttention"


@pytest.mark.slow  # trains with fit
def test_input_feeding_trains_with_fit_on_varying_lengths(tiny_config):
    from core.data import make_dataset

    keras.utils.set_random_seed(4)
    model = build_model(tiny_config(SRC_V, TGT_V, arch="local-p", window=2, input_feeding=True))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=masked_loss)
    src = [[5, 6], [7, 8, 9], [10, 11, 12, 13, 14, 15, 16], [17]]
    tgt = [[2, 4, 3], [2, 5, 6, 7, 3], [2, 8, 9, 10, 11, 12, 13, 14, 3], [2, 15, 3]]
    ds = make_dataset(src, tgt, batch_size=2, shuffle=False, bucket_boundaries=(6,))  # two target lengths
    history = model.fit(ds.cache(), epochs=4, verbose=0)
    losses = history.history["loss"]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


def _vocab(n: int) -> Vocabulary:
    return Vocabulary(["", "[UNK]", "[START]", "[END]", *[f"w{i}" for i in range(n - 4)]])


def test_greedy_equals_eager_for_local_p_and_positions_per_token(tiny_config):
    keras.utils.set_random_seed(5)
    config = tiny_config(SRC_V, TGT_V, arch="local-p", window=2, input_feeding=True, max_decode_len=6)
    translator = Translator(build_model(config), _vocab(SRC_V), _vocab(TGT_V))
    src, _, _ = _batch()
    g, e = translator.greedy(src), translator.greedy_eager(src)
    ids, attn, probs, positions = g["ids"], g["attention"]["cross"], g["probs"], g["attention"]["position"]
    e_ids, e_attn, e_probs = e["ids"], e["attention"]["cross"], e["probs"]
    e_positions = e["attention"]["position"]
    steps = e_ids.shape[1]
    assert e_positions.shape == (3, steps) and positions.shape[0] == 3
    np.testing.assert_array_equal(ids[:, :steps], e_ids)
    np.testing.assert_allclose(attn[:, :steps], e_attn, atol=1e-5)
    np.testing.assert_allclose(probs[:, :steps], e_probs, atol=1e-5)
    np.testing.assert_allclose(positions[:, :steps], e_positions, atol=1e-5)
    last = ((src != 0).sum(-1) - 1)[:, None]
    assert np.all(e_positions >= 0.0) and np.all(e_positions <= last + 1e-5)
    for t in translator.translate_batch(["w1 w2 w3", "w4", "w5 w6 w7 w8 w9"]):
        assert t.positions is not None
        assert t.positions.shape == (len(t.target_tokens),)
        assert t.attention.shape == (len(t.target_tokens), len(t.source_tokens))


def test_global_models_give_no_positions(tiny_config):
    keras.utils.set_random_seed(6)
    translator = Translator(
        build_model(tiny_config(SRC_V, TGT_V, arch="concat", max_decode_len=4)), _vocab(SRC_V), _vocab(TGT_V)
    )
    assert set(translator.greedy(_batch()[0])["attention"]) == {"cross"}
    assert translator.translate("w1 w2").positions is None


# -- overfitting a tiny corpus ---------------------------------------------------------------------
OVERFIT_CASES = {
    "dot": dict(arch="dot"),
    "general": dict(arch="general"),
    "concat": dict(arch="concat"),
    "local-p": dict(arch="local-p", window=2),
    "general+feed": dict(arch="general", input_feeding=True),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(OVERFIT_CASES))
def test_overfits_a_tiny_corpus(name, tiny_config, tiny_pairs):
    from core.data import make_dataset
    from core.text import tokenize

    pairs = tiny_pairs[:12]
    src_tok = [tokenize(en) for en, _ in pairs]
    tgt_tok = [tokenize(es) for _, es in pairs]
    src_vocab, tgt_vocab = Vocabulary.adapt(src_tok, 100), Vocabulary.adapt(tgt_tok, 100)
    config = tiny_config(
        len(src_vocab),
        len(tgt_vocab),
        embedding_dim=16,
        encoder_units=16,
        decoder_units=32,
        attention_units=16,
        **OVERFIT_CASES[name],
    )
    keras.utils.set_random_seed(0)
    model = build_model(config)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=masked_loss)
    ds = make_dataset(
        [src_vocab.encode(t) for t in src_tok],
        [tgt_vocab.encode(t, add_start_end=True) for t in tgt_tok],
        batch_size=len(pairs),
        shuffle=False,
        bucket_boundaries=(64,),  # one batch of one shape: a single trace of the training step
    )
    start = time.perf_counter()
    model.fit(ds.cache(), epochs=80, verbose=0)
    translator = Translator(model, src_vocab, tgt_vocab)
    translations = translator.translate_batch([en for en, _ in pairs])
    right = [t.target_tokens == tokenize(es) for t, (_, es) in zip(translations, pairs, strict=True)]
    misses = [(en, t.target_tokens) for t, (en, _), ok in zip(translations, pairs, right, strict=True) if not ok]
    assert sum(right) >= 10, misses
    for t in translations:
        if config.arch == "local-p":
            assert t.positions.shape == (len(t.target_tokens),)
            assert np.all(t.positions >= 0.0) and np.all(t.positions <= len(t.source_tokens) - 1 + 1e-5)
        else:
            assert t.positions is None
    print(f"{name}: {sum(right)}/12 in {time.perf_counter() - start:.1f}s")
