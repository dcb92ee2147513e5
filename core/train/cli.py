"""Train a translation model and write a run folder.

    python -m core.train --out runs/additive --epochs 10
    python -m core.train --out runs/additive --epochs 15 --resume   # continue to epoch 15
    python -m core.train --out runs/additive --epochs 18 --resume --learning-rate 5e-4 --lr-schedule cosine --keep last

Every command line is recorded in the run's ``training.json`` (``commands``), with the epoch
whose weights were saved and why (``saved``; see :mod:`core.runs.provenance`).

Every argument is checked before any work (exit code 2 naming the value). One process at a
time writes a run folder; a full disk or a missing permission ends the run with a one-line
message and exit code 1, the files of the last finished epoch left intact. SIGTERM or SIGINT
stops it cleanly (see :mod:`core.train.stop`): the last finished epoch is kept, ``training.json``
says ``stopped``, exit code 143 or 130, and ``--resume`` continues it.

The corpus is found with ``--data PATH``, ``$ATTENTION_LAB_DATA``, or the usual places
(see :func:`core.data.find_data`).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from core import runs
from core.data import filter_length, find_data, read_pairs, split_pairs
from core.models.config import ARCHITECTURES, CHOICES, ModelConfig
from core.runs import atomic, model_files, provenance
from core.runs.lock import LOCK_FILE, LockedError, run_lock
from core.text import tokenize
from core.text.tokenizer import WORDS
from core.train import args as train_args
from core.train import checkpoints, cluster, stop
from core.train.args import UsageError
from core.train.cluster import STRATEGIES, ClusterError, WorkerLost, is_chief, make_strategy
from core.train.init_from import check_vocabularies, init_from

DEFAULT_BPE_VOCAB = 8000
LR_SCHEDULES = ("constant", "cosine")
LOOPS = ("fit", "custom")


@dataclass(frozen=True)
class TrainConfig:
    """How a run is trained; saved as ``training.json``."""

    data: str | None = None
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    lr_schedule: str = "constant"  # or "cosine": decays to 0 over the epochs of this start or resume
    seed: int = 0
    split_seed: int = 1234
    val_fraction: float = 0.05
    test_fraction: float = 0.05
    max_tokens: int = 20  # length filter for training pairs
    max_pairs: int | None = None  # use only the first N training pairs (quick runs)
    steps_log_every: int = 50
    clipnorm: float = 5.0
    keep: str = "best"  # which epoch's weights the run keeps: best validation loss, or the last epoch
    hardware: str | None = None  # where the run trained (last start or resume)
    data_fingerprint: str | None = None  # "<bytes>:<sha256 prefix>" of the data file the run started on
    init_from: str | None = None  # model folder whose matching weights the run started from (core.train.init_from)
    vocab_size: int | None = None  # --tokenizer bpe: pieces of the joint subword vocabulary (default 8000)
    label_smoothing: float = 0.0  # share of each target's probability spread over the vocabulary
    schedule_from: int = 0  # the epoch the learning-rate schedule of the current command line began at
    name_swaps: float = 0.0  # share of name-holding pairs copied with a made-up name (core.data.name_swap)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m core.train", description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, type=Path, help="run folder to write")
    p.add_argument("--data", help="spa-eng.zip or spa.txt (default: $ATTENTION_LAB_DATA or usual places)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out up to --epochs")
    p.add_argument("--force", action="store_true", help="with --resume: continue on a different data set")
    p.add_argument("--arch", choices=ARCHITECTURES, default=None, help="model architecture (default additive)")
    d, t = ModelConfig(), TrainConfig()
    p.add_argument("--epochs", type=int, default=t.epochs)
    p.add_argument("--batch-size", type=int, default=t.batch_size)
    p.add_argument(
        "--learning-rate",
        type=float,
        default=None,
        help=f"Adam's (initial) learning rate (default {t.learning_rate}; with --resume: the run's own)",
    )
    p.add_argument(
        "--lr-schedule",
        choices=LR_SCHEDULES,
        default=None,
        help="constant, or cosine decay to 0 over the epochs trained by this command "
        f"(default {t.lr_schedule}; with --resume: the run's own)",
    )
    p.add_argument(
        "--keep",
        choices=provenance.KEEP_RULES,
        default=None,
        help="weights to keep: the epoch of the lowest validation loss (best) or the last epoch "
        f"(default {t.keep}; with --resume: the run's own)",
    )
    p.add_argument("--seed", type=int, default=t.seed)
    p.add_argument("--split-seed", type=int, default=t.split_seed)
    p.add_argument("--val-fraction", type=float, default=t.val_fraction)
    p.add_argument("--test-fraction", type=float, default=t.test_fraction)
    p.add_argument("--max-tokens", type=int, default=t.max_tokens)
    p.add_argument("--max-pairs", type=int, default=None)
    p.add_argument("--steps-log-every", type=int, default=t.steps_log_every)
    p.add_argument(
        "--vocab-size",
        type=int,
        default=None,
        help=f"with --tokenizer bpe: pieces of the joint English-Spanish vocabulary (default {DEFAULT_BPE_VOCAB})",
    )
    p.add_argument(
        "--label-smoothing",
        type=float,
        default=None,
        help=f"share of each target's probability spread uniformly (default {t.label_smoothing}; with --resume: the run's own)",
    )
    p.add_argument(
        "--name-swaps",
        type=float,
        default=t.name_swaps,
        help="share of the training pairs holding a frequent name (Tom, Boston, …) that are added once more with a "
        f"made-up name in its place, so that the model learns to copy names (default {t.name_swaps}; "
        "see core.data.name_swap; a resumed run keeps its own)",
    )
    p.add_argument(
        "--init-from",
        default=None,
        help="a new run starts from this model folder's weights wherever role and shape match "
        "(the same vocabularies needed; see core.train.init_from)",
    )
    model = p.add_argument_group("model (see core.models.config.ModelConfig; with --resume: the run's own)")
    for f in dataclasses.fields(ModelConfig):
        if f.name in ("arch", "tokenizer_checksum"):  # the checksum is the trained tokenizer's own
            continue
        flag, default = "--" + f.name.replace("_", "-"), getattr(d, f.name)
        # None marks "not given": a resume then keeps the run's value, a new run takes the default
        if isinstance(default, bool):
            model.add_argument(flag, action=argparse.BooleanOptionalAction, default=None)
        elif f.name in CHOICES:
            model.add_argument(flag, choices=CHOICES[f.name], default=None, help=f"default {default}")
        else:
            model.add_argument(flag, type=type(default), default=None, help=f"default {default}")
    p.add_argument("--verbose", default="auto", help="Keras fit verbosity: auto, 0, 1 or 2")
    p.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="default",
        help="tf.distribute strategy: one device (default), all local devices (mirrored), "
        "or several machines described by $TF_CONFIG (multiworker)",
    )
    p.add_argument(
        "--loop",
        choices=LOOPS,
        default=None,
        help="fit: Keras fit (default on one process); custom: the loop of core.train.loop "
        "(always under --strategy multiworker; on one process, the same steps as a cluster)",
    )
    p.add_argument(
        "--cpu-devices", type=int, default=1, help="split the CPU into N logical devices (to try mirrored on a CPU)"
    )
    p.add_argument(
        "--workers",
        default=None,
        help="host:port,host:port,...: the cluster of a multi-worker run, the same list on every worker "
        "(implies --strategy multiworker; instead of $TF_CONFIG)",
    )
    p.add_argument("--worker-index", type=int, default=None, help="with --workers: this process's place in the list")
    p.add_argument(
        "--worker-timeout",
        type=float,
        default=None,
        help=f"multiworker: seconds a step waits for the other workers before the run fails "
        f"(default {cluster.DEFAULT_WORKER_TIMEOUT})",
    )
    return p.parse_args(argv)


def custom_loop(args: argparse.Namespace) -> bool:
    """Whether the run trains with :func:`core.train.loop.fit` (``--loop custom``, or any multi-worker run)."""
    return args.strategy == "multiworker" or getattr(args, "loop", None) == "custom"


def run_folder(args: argparse.Namespace) -> Path:
    """The folder this process writes: ``--out`` for the chief, a temporary folder for other tasks."""
    return args.out if is_chief() else cluster.scratch_folder(args.out)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    args.command = provenance.command_line(sys.argv[1:] if argv is None else list(argv))
    try:
        train_args.validate(args)
        cluster.check_flags(args)
    except (UsageError, ClusterError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    cluster.apply_flags(args)
    out = run_folder(args)
    if out != args.out:  # a non-chief task: its files go with it
        try:
            return _train_in(args, out)
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return _train_in(args, out)


def _train_in(args: argparse.Namespace, out: Path) -> int:
    """Train into ``out`` under its lock; the exit code (messages on stderr)."""
    if args.resume and out == args.out and not (out / runs.CONFIG).is_file() and not _has_entries(out):
        print(f"error: --resume needs an existing run in {out} (no {runs.CONFIG} there)", file=sys.stderr)
        return 2  # nothing created: no folder, no lock file
    created, fresh = not out.exists(), False
    try:
        with stop.stoppable():
            out.mkdir(parents=True, exist_ok=True)
            with run_lock(out, "train"):
                fresh = _check_folders(args, out)
                if fresh and args.resume:
                    print(f"{out} has no finished epoch: starting it afresh", flush=True)
                if fresh:
                    train_args.clear_unstarted(out)
                    args.resume = False
                atomic.remove_temporaries(out)
                try:
                    train(args, out)
                except stop.Stopped as e:
                    return _stopped(out, created, fresh, e)
    except stop.Stopped as e:  # before the folder's lock was taken: nothing of this start is kept
        print(f"stopped by {e.name} before training began", file=sys.stderr)
        return _failed(out, created, fresh, e.exit_code)
    except (UsageError, FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return _failed(out, created, fresh, 2)
    except (LockedError, WorkerLost) as e:
        if isinstance(e, WorkerLost) and train_args.has_progress(args.out):  # the chief's folder, from any worker
            kept = train_args.finished_epoch(args.out)
            e = f"{e}; {args.out} keeps epoch {kept}: start every worker again with --resume"
        print(f"error: {e}", file=sys.stderr, flush=True)
        return 1
    except OSError as e:  # a full disk, a missing permission: one line, the last good state kept
        message = str(e) if isinstance(e, atomic.WriteError) else atomic.describe(Path(e.filename or out), e)
        print(f"error: {message}", file=sys.stderr)
        return _failed(out, created, fresh, 1)
    return 0


def _check_folders(args: argparse.Namespace, out: Path) -> bool:
    """Check the run folder against ``--resume``; returns whether this process starts afresh.

    The chief checks ``--out`` itself. Another task writes a temporary folder (``out``) but resumes
    from the chief's: it needs the run there.
    """
    if out != args.out and args.resume:
        if not (args.out / runs.CONFIG).is_file():
            raise UsageError(f"--resume needs an existing run in {args.out} (no {runs.CONFIG} there)")
        return False
    return train_args.check_folder(argparse.Namespace(**{**vars(args), "out": out}))


def _stopped(out: Path, created: bool, fresh: bool, e: stop.Stopped) -> int:
    """A clean stop (SIGTERM/SIGINT): the last finished epoch kept and marked stopped, or nothing kept at all."""
    with stop.deferred():  # a second signal does not cut these writes short
        if not train_args.has_progress(out):
            print(f"stopped by {e.name} before the first epoch ended: nothing kept", file=sys.stderr)
            return _failed(out, created, fresh, e.exit_code)
        epoch = stop.mark_stopped(out, e.signum)
    print(f"stopped by {e.name} after epoch {epoch}: continue it with --resume", file=sys.stderr)
    return e.exit_code


def _has_entries(out: Path) -> bool:
    """Whether ``out`` is a folder holding anything but a lock file."""
    try:
        return any(p.name != LOCK_FILE for p in out.iterdir())
    except OSError:
        return False


def _failed(out: Path, created: bool, fresh: bool, code: int) -> int:
    """Exit ``code``; a run that finished no epoch leaves nothing behind that blocks a rerun.

    A folder this command created goes again, whatever failed; an existing one keeps its files.
    """
    if (fresh or created) and out.is_dir() and not train_args.has_progress(out):
        try:
            if created:
                shutil.rmtree(out)
            else:
                train_args.clear_unstarted(out)
        except OSError:
            pass
    return code


def train(args: argparse.Namespace, out: Path | None = None) -> Path:
    """Train into ``out`` (default: :func:`run_folder`); the caller holds the folder's lock.

    Every task trains; only the chief writes the run (``home``, the ``--out`` folder). The others
    write in a temporary folder removed when they end and, on resume, read the run's settings,
    vocabularies and checkpoint from the chief's folder (a folder every worker sees). The data and the resume are checked before TensorFlow is imported
    or anything is written.
    """
    home: Path = args.out
    out = out or run_folder(args)
    out.mkdir(parents=True, exist_ok=True)
    if args.resume:
        tc, config = _resumed_config(args, home)
    else:
        tc, config = fresh_train_config(args), None
    data = find_data(tc.data)
    if args.resume:
        train_args.check_resume(args, config, runs.read_json(home, runs.TRAINING) or {}, data)

    pairs = read_pairs(data)
    split = split_pairs(pairs, tc.val_fraction, tc.test_fraction, tc.split_seed)
    train_pairs = filter_length(split.train, tc.max_tokens)
    val_pairs = filter_length(split.val, tc.max_tokens)
    if tc.max_pairs:
        train_pairs = train_pairs[: tc.max_pairs]
        val_pairs = val_pairs[: max(1, tc.max_pairs // 10)] if val_pairs else train_pairs[:1]
    if not train_pairs:
        raise UsageError(
            f"{data.name} gives no training pairs ({len(pairs)} pairs read, {len(split.train)} in the training "
            f"split, none of at most --max-tokens {tc.max_tokens} tokens)"
        )
    if not val_pairs:
        val_pairs = train_pairs[: max(1, len(train_pairs) // 10)]

    strategy = make_strategy(args.strategy, args.cpu_devices, getattr(args, "worker_timeout", None))
    import keras

    from core.data import make_dataset
    from core.models import build_model
    from core.train.losses import masked_accuracy, masked_loss, smoothed_loss
    from core.train.run_logger import RunLogger

    tc = dataclasses.replace(tc, hardware=runs.describe_hardware(), data_fingerprint=train_args.fingerprint(data))
    keras.utils.set_random_seed(tc.seed)
    if args.resume:
        src_vocab = model_files.read_vocab(home, runs.SRC_VOCAB, config.src_vocab_size)
        tgt_vocab = model_files.read_vocab(home, runs.TGT_VOCAB, config.tgt_vocab_size)
        tokenizer = model_files.read_tokenizer(home, config, src_vocab, tgt_vocab)
    else:
        config, tokenizer, src_vocab, tgt_vocab, tokenizer_model = _new_text(args, tc, train_pairs)
        if tc.init_from:  # before anything is written: a source with other vocabularies is refused
            check_vocabularies(Path(tc.init_from), src_vocab.tokens, tgt_vocab.tokens)
        if tokenizer_model is not None:
            atomic.write_bytes(out / runs.TOKENIZER, tokenizer_model, "tokenizer")
        runs.write_vocab(out / runs.SRC_VOCAB, src_vocab)
        runs.write_vocab(out / runs.TGT_VOCAB, tgt_vocab)
        runs.write_config(out / runs.CONFIG, config)
    _write_training(out, tc, args)

    def ids(pairs_):
        src = [src_vocab.encode(tokenizer.split(en)) for en, _ in pairs_]
        tgt = [tgt_vocab.encode(tokenizer.split(es), add_start_end=True) for _, es in pairs_]
        fits = [
            i
            for i in range(len(src))
            if len(src[i]) <= config.max_source_len and len(tgt[i]) <= config.max_decode_len + 1
        ]
        return [src[i] for i in fits], [tgt[i] for i in fits]

    if tc.name_swaps:  # after the tokenizer is trained: it is the one the corpus alone gives
        from core.data.name_swap import swapped_names

        copies = swapped_names(train_pairs, tc.name_swaps, tc.seed)
        print(f"{len(copies)} training pairs added with a made-up name (--name-swaps {tc.name_swaps})", flush=True)
        train_pairs = train_pairs + copies
    train_ids, val_ids = ids(train_pairs), ids(val_pairs)
    print(
        f"{len(train_ids[0])} training pairs, {len(val_ids[0])} validation pairs "
        f"({len(train_pairs) - len(train_ids[0])} + {len(val_pairs) - len(val_ids[0])} longer than the model's "
        f"{config.max_source_len} / {config.max_decode_len} tokens left out); {config.text_label}",
        flush=True,
    )
    train_ds = make_dataset(*train_ids, batch_size=tc.batch_size, shuffle=True, seed=tc.seed)
    val_ds = make_dataset(*val_ids, batch_size=tc.batch_size, shuffle=False)
    steps_per_epoch = int(train_ds.cardinality())

    points = checkpoints.found(home) if args.resume else []
    with strategy.scope():
        model = build_model(config)
        learning_rate = learning_rate_for(tc, steps=max(1, tc.epochs * steps_per_epoch))
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate, clipnorm=tc.clipnorm),
            loss=masked_loss if not tc.label_smoothing else smoothed_loss(tc.label_smoothing),
            metrics=[masked_accuracy],
        )
    print(f"strategy {args.strategy}: {strategy.num_replicas_in_sync} replica(s)", flush=True)
    with strategy.scope():  # a restore builds the optimizer: its variables belong to the strategy
        resumed = checkpoints.restore(model, home) if points else None
        if points and resumed is None:
            print(f"no checkpoint in {home} loads: continuing from its weights", flush=True)
        if args.resume and resumed is None:
            _warm_start(model, home)
            print(f"no checkpoint in {home}: continuing from its weights after epoch {_last_epoch(home)}", flush=True)
        if not args.resume and tc.init_from:
            report = init_from(model, Path(tc.init_from))
            print(f"from {tc.init_from}: {len(report['copied'])} weights copied; fresh: {report['fresh']}", flush=True)
    start = resumed.epoch if resumed else (_last_epoch(home) if args.resume else 0)
    callbacks = _schedule_callbacks(learning_rate, tc.epochs, steps_per_epoch, start, tc.schedule_from)
    if out == home:  # the chief: the only process that writes the run folder
        logger = RunLogger(
            out, src_vocab, tgt_vocab, steps_log_every=tc.steps_log_every, initial_epoch=start,
            resumed=resumed, keep=tc.keep, tokenizer=tokenizer,
        )  # fmt: skip
        board = keras.callbacks.TensorBoard(str(out / runs.TENSORBOARD), update_freq="epoch", write_graph=False)
        callbacks += [logger, board]
    callbacks.append(stop.callback())  # last: a stop lands after the epoch's files are written, or between batches
    verbose = args.verbose if args.verbose == "auto" else int(args.verbose)
    with stop.deferred():
        if custom_loop(args):  # always under multiworker: Keras fit does not train there
            from core.train import loop

            loop.fit(strategy, model, train_ds, val_ds, tc.epochs, start, callbacks, tc.label_smoothing)
        else:
            model.fit(
                train_ds, validation_data=val_ds, epochs=tc.epochs, initial_epoch=start, callbacks=callbacks,
                verbose=verbose,
            )  # fmt: skip
    return out


def _new_text(args: argparse.Namespace, tc: TrainConfig, train_pairs: list[tuple[str, str]]):
    """A new run's config, tokenizer and vocabularies, learned from the training pairs only.

    Returns ``(config, tokenizer, src_vocab, tgt_vocab, tokenizer_model)``; the last is the
    serialised SentencePiece model to save (None for a word-level run).
    """
    from core.text.vocab import Vocabulary

    sizes = train_args.model_sizes(args)
    if sizes["tokenizer"] == "bpe":
        from core.text import subword

        model = subword.train_model([s for pair in train_pairs for s in pair], tc.vocab_size or DEFAULT_BPE_VOCAB)
        tokenizer = subword.SubwordTokenizer(model)
        vocab = tokenizer.vocabulary
        sizes.update(src_vocab_size=len(vocab), tgt_vocab_size=len(vocab), tokenizer_checksum=tokenizer.checksum)
        return ModelConfig(**sizes), tokenizer, vocab, vocab, model
    src_vocab = Vocabulary.adapt([tokenize(en) for en, _ in train_pairs], sizes["src_vocab_size"])
    tgt_vocab = Vocabulary.adapt([tokenize(es) for _, es in train_pairs], sizes["tgt_vocab_size"])
    config = ModelConfig(**{**sizes, "src_vocab_size": len(src_vocab), "tgt_vocab_size": len(tgt_vocab)})
    return config, WORDS, src_vocab, tgt_vocab, None


def learning_rate_for(tc: TrainConfig, steps: int):
    """Adam's learning rate: a constant, or ``lr · ½(1 + cos(π·t/steps))`` over ``steps`` updates.

    The cosine schedule (:class:`core.train.lr_schedule.CosineFrom`) is pointed at the epochs this
    command trains once any checkpoint is restored (see :func:`_schedule_callbacks`).
    """
    from core.train.lr_schedule import CosineFrom

    if tc.lr_schedule == "constant":
        return tc.learning_rate
    if tc.lr_schedule == "cosine":
        if steps < 1:
            raise ValueError(f"a cosine schedule needs at least one step to decay over, got {steps}")
        return CosineFrom(tc.learning_rate, decay_steps=steps)
    raise ValueError(f"unknown learning-rate schedule {tc.lr_schedule!r}; expected one of {LR_SCHEDULES}")


def _schedule_callbacks(learning_rate, epochs: int, steps_per_epoch: int, start_epoch: int, from_epoch: int) -> list:
    """A decaying rate follows the curve that began at ``from_epoch`` (see :class:`core.train.lr_schedule.StartCosine`)."""
    from core.train.lr_schedule import CosineFrom, StartCosine

    if not isinstance(learning_rate, CosineFrom):
        return []
    return [StartCosine(learning_rate, epochs, steps_per_epoch, start_epoch, from_epoch)]


def _write_training(out: Path, tc: TrainConfig, args: argparse.Namespace) -> None:
    """``training.json``: the config, every command line that trained the run, and the saved epoch so far."""
    before = provenance.read_training(out) if args.resume else {}
    command = getattr(args, "command", None)
    commands = provenance.commands(out) if args.resume else []
    entries = {provenance.COMMANDS: commands + ([command] if command else [])}
    if provenance.SAVED in before:
        entries[provenance.SAVED] = before[provenance.SAVED]
    training = dataclasses.asdict(tc) | entries
    runs.write_json_atomic(out / runs.TRAINING, training, "training")


def _last_epoch(out: Path) -> int:
    """The last epoch a run folder logged in ``history.csv`` (0 when it has none)."""
    try:
        rows = runs.read_history(out)
    except runs.RunError:
        rows = []
    return int(rows[-1]["epoch"]) if rows else 0


def _warm_start(model, out: Path) -> None:
    """Load a finished run's kept weights (no optimiser state).

    A shipped model folder keeps weights and ``history.csv`` but not the training checkpoint;
    training such a folder further starts Adam afresh from those weights.
    """
    if not (out / runs.WEIGHTS).is_file():
        raise FileNotFoundError(f"--resume found neither {runs.CHECKPOINT}/ nor {runs.WEIGHTS} in {out}")
    try:
        model_files.load_weights(model, out)
    except runs.RunError as e:
        raise runs.RunError(f"{runs.WEIGHTS} in {out} cannot be loaded: {e}") from None


def fresh_train_config(args: argparse.Namespace) -> TrainConfig:
    """The training settings of a fresh start from its parsed command line (defaults where a flag is absent)."""
    return TrainConfig(
        data=args.data,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=TrainConfig.learning_rate if args.learning_rate is None else args.learning_rate,
        lr_schedule=TrainConfig.lr_schedule if args.lr_schedule is None else args.lr_schedule,
        seed=args.seed,
        split_seed=args.split_seed,
        val_fraction=args.val_fraction,
        test_fraction=args.test_fraction,
        max_tokens=args.max_tokens,
        max_pairs=args.max_pairs,
        steps_log_every=args.steps_log_every,
        keep=TrainConfig.keep if args.keep is None else args.keep,
        init_from=args.init_from,
        vocab_size=args.vocab_size,
        label_smoothing=TrainConfig.label_smoothing if args.label_smoothing is None else args.label_smoothing,
        name_swaps=args.name_swaps,
    )


def _resumed_config(args: argparse.Namespace, home: Path) -> tuple[TrainConfig, ModelConfig]:
    """The run's own training settings, with the epochs, rate, schedule, rule and data this command gives."""
    before = _load_train_config(home)
    tc = dataclasses.replace(before, epochs=args.epochs)
    for name in ("learning_rate", "lr_schedule", "keep", "label_smoothing"):  # a resume may change these
        if getattr(args, name) is not None:
            tc = dataclasses.replace(tc, **{name: getattr(args, name)})
    # the same epochs, rate and schedule continue the curve the run is on; anything else starts a new one
    same_curve = (before.epochs, before.learning_rate, before.lr_schedule) == (
        tc.epochs,
        tc.learning_rate,
        tc.lr_schedule,
    )
    if not same_curve:
        tc = dataclasses.replace(tc, schedule_from=train_args.finished_epoch(home))
    if args.data:
        tc = dataclasses.replace(tc, data=args.data)
    return tc, model_files.read_config(home)


def _load_train_config(out: Path) -> TrainConfig:
    data = model_files.read_training(out)
    if data is None:
        raise runs.RunError(f"--resume needs {runs.TRAINING} in {out}")
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    try:
        return TrainConfig(**{k: v for k, v in data.items() if k in known})
    except TypeError as e:
        raise runs.RunError(f"{runs.TRAINING}: {e}") from None


if __name__ == "__main__":
    sys.exit(main())
