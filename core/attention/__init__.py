"""Attention layers. Each returns its weights to the caller and stores none."""

from core.attention.additive import AdditiveAttention
from core.attention.masking import masked_softmax

__all__ = ["AdditiveAttention", "masked_softmax"]
