"""Building blocks of the Transformer: positional embeddings and position-wise feed-forward networks.

Imports nothing from the rest of :mod:`core`.
"""

from core.layers.feed_forward import FeedForward
from core.layers.positional import PositionalEmbedding, positional_encoding, sinusoidal_encoding

__all__ = ["FeedForward", "PositionalEmbedding", "positional_encoding", "sinusoidal_encoding"]
