"""Decoding: greedy and beam search inside ``tf.function``, and the ``Translation`` they return.

Any model with the decoding interface works here::

    memory, state = model.init_decoding(src)                      # batch-first dicts
    logits, state, attention = model.decode_step(token, step, memory, state)
    model.step_attention_names                                    # the keys of ``attention``

``attention`` holds ``"cross"`` — (batch, src_len) for recurrent models, (batch, layers,
heads, src_len) for the Transformer — and optionally ``"position"`` (batch,) for local-p and
``"self"`` (batch, layers, heads, max_len) for the Transformer; ``memory`` may hold
``"encoder_self"`` (batch, layers, heads, src_len, src_len), which no step reads: searches
return it once per sentence and never copy it per beam.

:func:`load_translator` builds a :class:`Translator` from a model folder, read through
:mod:`core.runs.model_files`. May import :mod:`core.text`, :mod:`core.models` and
:mod:`core.runs`; never training.
"""

from core.decoding.load import load_translator
from core.decoding.results import BeamTree, Step, StepThrough, Translation
from core.decoding.translator import STEP_TOP_K, Translator

__all__ = ["STEP_TOP_K", "BeamTree", "Step", "StepThrough", "Translation", "Translator", "load_translator"]
