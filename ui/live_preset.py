"""A live-run preset in plain words: how many sentences, how long, which model, how long it takes."""

from __future__ import annotations

from core.train.live.presets import PRESETS, Preset
from ui.i18n import t

CAUTIONS = ("collapse", "stuck")


def mechanism_label(mechanism: str) -> str:
    """The mechanism's name as the class reads it (its architecture label without the sizes)."""
    return t(f"live.mech_{mechanism}")


def preset_label(key: str) -> str:
    return t(f"live.preset_{key}") if key in PRESETS else key


def preset_words(preset: Preset, mechanism: str) -> str:
    """Every choice of the preset, from its own fields, in one paragraph."""
    flags = preset.flags(mechanism)
    if flags["arch"] == "transformer":
        model = t("live.model_transformer", layers=flags["num_layers"], heads=flags["num_heads"], d=flags["d_model"])
    else:
        model = t(
            "live.model_rnn",
            mechanism=mechanism_label(mechanism),
            emb=flags["embedding_dim"],
            enc=flags["encoder_units"],
            dec=flags["decoder_units"],
        )
        if flags["arch"] == "local-p":
            model += t("live.model_window", d=flags["window"])
    return t(
        "live.preset_words",
        pairs=f"{preset.max_pairs:,}",
        tokens=preset.max_tokens,
        src=f"{preset.src_vocab:,}",
        tgt=f"{preset.tgt_vocab:,}",
        model=model,
        epochs=preset.epochs,
        batch=preset.batch_size,
    )


def preset_time(preset: Preset, mechanism: str) -> str:
    """The measured time of a whole run, or that it was not measured."""
    seconds = preset.estimate_s(mechanism)
    if seconds is None:
        return t("live.time_not_measured")
    return t("live.time_measured", minutes=f"{seconds / 60:.1f}")


def preset_caution(preset: Preset, mechanism: str) -> str | None:
    """What the measured run of this preset and mechanism showed instead of a diagonal, or None."""
    kind = preset.cautions.get(mechanism)
    return t(f"live.caution_{kind}") if kind in CAUTIONS else None


def duration(seconds: float) -> str:
    """``45 s`` or ``3 min``."""
    return t("live.seconds", n=int(round(seconds))) if seconds < 90 else t("live.minutes", n=int(round(seconds / 60)))
