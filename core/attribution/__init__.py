"""Which source words mattered for each output word: gradients, integrated gradients and attention rollout.

Everything here reads a model and returns numbers; nothing is stored on the model, so one
loaded model serves every user. See :mod:`core.attribution.gradients` for the gradient
methods, :mod:`core.attribution.rollout` for the Transformer's attention rollout and
:mod:`core.attribution.rank` for the rank correlation that compares them with attention.

May import every part below the top floor (:mod:`core.interventions` included); only
:mod:`core.train` stands above it.
"""

from core.attribution.gradients import Attribution, Attributor
from core.attribution.rank import spearman, spearman_rows
from core.attribution.rollout import effective_cross_attention, rollout

__all__ = ["Attribution", "Attributor", "effective_cross_attention", "rollout", "spearman", "spearman_rows"]
