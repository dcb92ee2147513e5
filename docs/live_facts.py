"""The placeholders of the Train live document: the constants of live training and of its page."""

from __future__ import annotations

from docs.facts import Facts, constant, fact

ROOT_PY = "core/train/live/root.py"
VIEW_PY = "ui/live_view.py"


def _seconds(value: float) -> str:
    return f"{value:g} s"


@fact
def live_max_runs(f: Facts) -> str:
    return str(constant(ROOT_PY, "MAX_RUNS"))


@fact
def live_max_bytes(f: Facts) -> str:
    return f"{constant(ROOT_PY, 'MAX_BYTES') / 1e6:,g} MB"


@fact
def live_niceness(f: Facts) -> str:
    return f"+{constant('core/train/live/process.py', 'NICENESS')}"


@fact
def stop_exit_sigterm(f: Facts) -> str:
    import signal

    from core.train.stop import EXIT_CODES  # keyed by signal: imported, not read

    return str(EXIT_CODES[signal.SIGTERM])


@fact
def stop_exit_sigint(f: Facts) -> str:
    import signal

    from core.train.stop import EXIT_CODES

    return str(EXIT_CODES[signal.SIGINT])


@fact
def live_force_after(f: Facts) -> str:
    return _seconds(constant("core/train/live/launcher.py", "FORCE_AFTER_S"))


@fact
def live_refresh_active(f: Facts) -> str:
    return _seconds(constant(VIEW_PY, "REFRESH_ACTIVE_S"))


@fact
def live_refresh_idle(f: Facts) -> str:
    return _seconds(constant(VIEW_PY, "REFRESH_IDLE_S"))


@fact
def live_look_ttl(f: Facts) -> str:
    return _seconds(constant(VIEW_PY, "LOOK_TTL_S"))


@fact
def live_steps_every(f: Facts) -> str:
    return str(constant("core/train/live/presets.py", "STEPS_LOG_EVERY"))


@fact
def live_heatmap_rows(f: Facts) -> str:
    return str(constant("ui/live_charts.py", "MAX_ROWS"))
