"""Scoring with sacreBLEU and the ``python -m core.evaluate`` command."""

from __future__ import annotations

import json
import shutil

import pytest

from core import evaluate, runs

HYPS = ["Tengo mucho frío esta noche.", "¿Dónde está la estación de tren?", "Ella tiene dos gatos y un perro."]


def test_identical_hypotheses_score_100():
    result = evaluate.score(HYPS, [[h] for h in HYPS])
    assert result["bleu"] == 100.0
    assert result["bleu_cased"] == 100.0
    assert result["chrf"] == 100.0
    # sacreBLEU's own description of what it computed: one reference, lower-cased, 13a tokens
    assert result["bleu_signature"].startswith("nrefs:1|case:lc|eff:no|tok:13a|smooth:exp|version:")
    assert result["chrf_signature"].startswith("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:")


def test_lowercased_bleu_ignores_case():
    result = evaluate.score([h.upper() for h in HYPS], [[h] for h in HYPS])
    assert result["bleu"] == 100.0
    assert result["bleu_cased"] < 100.0


def test_any_reference_counts_and_reference_counts_may_differ():
    references = [
        ["Hace mucho frío esta noche.", "Tengo mucho frío esta noche.", "Esta noche hace frío."],
        ["¿Dónde está la estación de tren?"],
        ["Ella tiene un perro y dos gatos.", "Ella tiene dos gatos y un perro."],
    ]
    result = evaluate.score(HYPS, references)
    assert result["bleu"] == 100.0
    assert result["chrf"] == 100.0
    # fewer references (only the non-matching ones) give a lower score
    worse = evaluate.score(HYPS, [references[0][:1], references[1], references[2][:1]])
    assert worse["bleu"] < 100.0
    assert worse["chrf"] < 100.0


def test_wrong_hypotheses_score_low():
    result = evaluate.score(["Hola.", "Adiós.", "Gracias."], [[h] for h in HYPS])
    assert result["bleu"] < 10
    assert result["chrf"] < 30


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="3 hypotheses but 2"):
        evaluate.score(HYPS, [[HYPS[0]], [HYPS[1]]])


def test_nothing_to_score_raises():
    with pytest.raises(ValueError, match="nothing to score"):
        evaluate.score([], [])


@pytest.mark.slow
def test_main_on_a_tsv(trained_run, tiny_tsv, capsys):
    assert evaluate.main(["--run", str(trained_run), "--tsv", str(tiny_tsv), "--batch-size", "8"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert result["sentences"] == 20
    assert result["references"] == 20
    assert result["split"] == str(tiny_tsv)
    assert 0 <= result["bleu"] <= 100 and 0 <= result["chrf"] <= 100
    assert result["sentences_per_second"] > 0
    assert "samples" not in result
    assert not (trained_run / runs.METRICS).exists()  # --tsv never writes metrics.json


@pytest.mark.slow
def test_main_limit(trained_run, tiny_tsv, capsys):
    assert evaluate.main(["--run", str(trained_run), "--tsv", str(tiny_tsv), "--limit", "3"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["sentences"] == 3


@pytest.mark.slow
def test_main_on_the_run_test_split(trained_run, capsys):
    assert evaluate.main(["--run", str(trained_run)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["split"] == "test"
    assert result["sentences"] == 2  # 10% of the 20 English sentences, as in training.json


def test_main_on_the_run_validation_split(trained_run, capsys):
    """The validation split: the run's own, apart from its test split, scored without writing anything."""
    assert evaluate.main(["--run", str(trained_run), "--split", "validation"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["split"] == "validation"
    val = evaluate.test_references(trained_run, split="validation")
    assert result["sentences"] == len(val) > 0
    assert not set(val) & set(evaluate.test_references(trained_run))  # no sentence in both splits


def test_write_scores_the_test_split_only(trained_run, capsys):
    assert evaluate.main(["--run", str(trained_run), "--split", "validation", "--write"]) == 2
    assert "--split validation" in capsys.readouterr().err
    assert not (trained_run / "metrics.json").exists() or "validation" not in (trained_run / "metrics.json").read_text()
    with pytest.raises(ValueError, match="'train' is not one of test, validation"):
        evaluate.test_references(trained_run, split="train")


@pytest.mark.slow
def test_beam_write_adds_its_own_entry_and_keeps_the_greedy_scores(trained_run, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    assert evaluate.main(["--run", str(run), "--write"]) == 0
    greedy = runs.read_metrics(run)
    assert evaluate.main(["--run", str(run), "--write", "--beam", "3"]) == 0
    beam = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    metrics = runs.read_metrics(run)
    assert {k: v for k, v in metrics.items() if k != "beam"} == greedy
    assert metrics["beam"]["bleu"] == beam["bleu"] and metrics["beam"]["decoding"] == "beam 3, alpha 0.6"
    assert metrics["beam"]["sentences"] == greedy["sentences"]
    assert evaluate.main(["--run", str(run), "--write"]) == 0  # a new greedy score drops the old beam entry
    assert "beam" not in runs.read_metrics(run)


@pytest.mark.slow
def test_beam_write_on_a_slice_is_refused_and_writes_nothing(trained_run, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    assert evaluate.main(["--run", str(run), "--write", "--beam", "2", "--limit", "1"]) == 2
    assert "needs the whole test split; drop --limit 1" in capsys.readouterr().err
    assert runs.read_metrics(run) is None


def test_main_reports_a_missing_run(tmp_path, tiny_tsv, capsys):
    assert evaluate.main(["--run", str(tmp_path / "nope"), "--tsv", str(tiny_tsv)]) == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.slow
def test_test_split_comes_from_the_training_corpus(trained_run, tmp_path, monkeypatch):
    other = tmp_path / "other.tsv"
    other.write_text("".join(f"Other sentence {i}.\tOtra frase {i}.\n" for i in range(50)), encoding="utf-8")
    monkeypatch.setenv("ATTENTION_LAB_DATA", str(other))  # a different corpus is the default here
    refs = evaluate.test_references(trained_run)
    assert len(refs) == 2
    training_english = {line.split("\t")[0] for line in (trained_run.parent / "corpus.tsv").read_text().splitlines()}
    assert set(refs) <= training_english
    # an explicit --data wins
    assert set(evaluate.test_references(trained_run, str(other))) <= {f"Other sentence {i}." for i in range(50)}


@pytest.mark.slow
def test_test_split_falls_back_when_the_recorded_corpus_is_gone(trained_run, tmp_path, monkeypatch):
    run = tmp_path / "run"
    run.mkdir()
    training = json.loads((trained_run / runs.TRAINING).read_text(encoding="utf-8"))
    (run / runs.TRAINING).write_text(json.dumps({**training, "data": str(tmp_path / "gone.tsv")}), encoding="utf-8")
    here = tmp_path / "here.tsv"
    here.write_text((trained_run.parent / "corpus.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("ATTENTION_LAB_DATA", str(here))
    assert evaluate.test_references(run) == evaluate.test_references(trained_run)
