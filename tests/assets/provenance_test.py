"""Every shipped model says which epoch's weights it holds, and its recorded commands replay its history.

The commands in ``training.json`` are parsed by ``core.train``'s own argument parser; replayed in
order they must give the model's ``config.json``, its ``training.json`` settings, the learning rate
``history.csv`` logged after every epoch, and the saved epoch.
"""

from __future__ import annotations

import dataclasses
import math
import shlex
from pathlib import Path

import pytest

from core import runs
from core.models.config import ModelConfig
from core.runs import provenance

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [r for r in runs.find_runs([ROOT / "assets"])]

pytestmark = pytest.mark.skipif(not SHIPPED, reason="no shipped model under assets/")


def _replay(commands: list[str]):
    """(TrainConfig, ModelConfig fields, learning rate after each epoch) that the command lines give."""
    from core.train.args import model_sizes
    from core.train.cli import _parse, fresh_train_config

    tc, model, rates = None, None, []
    for line in commands:
        words = shlex.split(line, comments=True)
        if words[:3] != provenance.TRAIN_COMMAND.split():
            continue  # a shell step such as removing the checkpoint
        args = _parse(words[3:])
        if not args.resume:
            assert tc is None, f"a second fresh start in {commands}"
            tc = fresh_train_config(args)
            model = model_sizes(args)
            start = 0
        else:
            assert tc is not None, "a resume before any start"
            start, before = len(rates), tc
            names = ("learning_rate", "lr_schedule", "keep", "label_smoothing")
            changes = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
            tc = dataclasses.replace(tc, epochs=args.epochs, **changes, data=args.data or tc.data)
            same_curve = (before.epochs, before.learning_rate, before.lr_schedule) == (
                tc.epochs,
                tc.learning_rate,
                tc.lr_schedule,
            )
            if not same_curve:  # a new curve starts where this command starts (core.train.cli)
                tc = dataclasses.replace(tc, schedule_from=start)
        begin = tc.schedule_from
        for epoch in range(start + 1, tc.epochs + 1):
            if tc.lr_schedule == "cosine":
                done = (epoch - begin) / (tc.epochs - begin)
                rates.append(tc.learning_rate * 0.5 * (1 + math.cos(math.pi * done)))
            else:
                rates.append(tc.learning_rate)
    return tc, model, rates


@pytest.mark.parametrize("info", SHIPPED, ids=[r.name for r in SHIPPED])
def test_recorded_commands_replay_the_run(info):
    commands = provenance.commands(info.path)
    assert commands, f"{info.name}: no command lines in {runs.TRAINING}"
    tc, model, rates = _replay(commands)
    training = provenance.read_training(info.path)
    for field in dataclasses.fields(tc):
        if field.name not in ("hardware", "data_fingerprint"):  # measured where it ran, not given on the line
            # a field newer than the folder is absent from its training.json: it had the default's meaning,
            # but where the schedule began is implied by the commands (checked through the learning rates)
            if field.name == "schedule_from" and field.name not in training:
                continue
            recorded = training.get(field.name, field.default)
            assert recorded == getattr(tc, field.name), f"{info.name}: {field.name}"
    config = ModelConfig.load(info.path / runs.CONFIG).to_dict()
    for name, value in model.items():
        if name not in ("src_vocab_size", "tgt_vocab_size"):  # the vocabularies' real sizes, at most these
            assert config[name] == value, f"{info.name}: {name}"
    history = runs.read_history(info.path)
    assert [int(r["epoch"]) for r in history] == list(range(1, tc.epochs + 1))
    logged = [r["learning_rate"] for r in history]
    assert logged == pytest.approx(rates, rel=1e-5, abs=1e-9), f"{info.name}: learning rates"


@pytest.mark.parametrize("info", SHIPPED, ids=[r.name for r in SHIPPED])
def test_saved_epoch_is_recorded_and_follows_its_rule(info):
    """Checkpoints are chosen on the validation split: ``best`` is its lowest loss, ``last`` the last epoch."""
    saved = provenance.read_training(info.path)[provenance.SAVED]
    history = runs.read_history(info.path)
    best = min(history, key=lambda r: r["val_loss"])
    assert (saved["best_epoch"], saved["best_val_loss"]) == (int(best["epoch"]), best["val_loss"])
    expected = int(best["epoch"]) if saved["keep"] == "best" else int(history[-1]["epoch"])
    assert saved["epoch"] == expected
    assert saved["val_loss"] == history[expected - 1]["val_loss"]
    assert provenance.read_training(info.path)["keep"] == saved["keep"]
    training = runs.read_metrics(info.path)["training"]
    assert (training["saved_epoch"], training["keep"]) == (saved["epoch"], saved["keep"])
    assert training["saved_val_loss"] == saved["val_loss"]


def test_relu_transformer_holds_its_last_epoch():
    """Its weights are those of epoch 14, the end of the cosine round, not the best validation epoch 11."""
    path = ROOT / "assets" / "transformer-relu"
    if not path.is_dir():
        pytest.skip("the ReLU Transformer is not shipped")
    saved = provenance.saved(path)
    assert (saved["epoch"], saved["keep"], saved["best_epoch"]) == (14, "last", 11)
    assert provenance.commands(path)[-1].endswith("--keep last")


@pytest.mark.parametrize("info", SHIPPED, ids=[r.name for r in SHIPPED])
def test_recorded_data_fingerprint_is_the_data_sets(info):
    """A run that recorded its data set's fingerprint trained on the data set the tests score with."""
    from core.data import DataNotFoundError, find_data
    from core.train.args import fingerprint

    training = provenance.read_training(info.path)
    if not training.get("data_fingerprint"):
        pytest.skip(f"{info.name} was trained before the fingerprint was recorded")
    try:
        data = find_data(training.get("data"))
    except DataNotFoundError:
        pytest.skip("the data set is not here")
    assert training["data_fingerprint"] == fingerprint(data), info.name
