"""Attention layers. Each returns its weights to the caller and stores none.

Additive (Bahdanau), multiplicative (Luong dot / general / concat), local-p and the masked
softmax they share; multi-head attention for the Transformer. Imports nothing from the rest of
:mod:`core`: the bottom floor, beside :mod:`core.layers` and :mod:`core.text`.
"""

from core.attention.additive import AdditiveAttention
from core.attention.local import LocalPAttention
from core.attention.masking import masked_softmax
from core.attention.multiplicative import LuongAttention

__all__ = ["AdditiveAttention", "LocalPAttention", "LuongAttention", "masked_softmax"]
