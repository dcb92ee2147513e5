"""Attention layers. Each returns its weights to the caller and stores none."""

from core.attention.additive import AdditiveAttention
from core.attention.local import LocalPAttention
from core.attention.masking import masked_softmax
from core.attention.multiplicative import LuongAttention

__all__ = ["AdditiveAttention", "LocalPAttention", "LuongAttention", "masked_softmax"]
