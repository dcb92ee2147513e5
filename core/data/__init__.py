"""Data: the English–Spanish corpus and the probe sentences.

- :mod:`~core.data.corpus` — finding, reading, splitting and batching the Tatoeba pairs;
- :mod:`~core.data.probes` — the fixed sentences whose attention a run saves after every epoch;
- :mod:`~core.data.names` — sentences with names the training split never holds;
- :mod:`~core.data.name_swap` — training copies with a made-up name, so that names are copied.

May import :mod:`core.text` only.
"""

from core.data.corpus import (
    DATA_ENV,
    DataNotFoundError,
    filter_length,
    find_data,
    group_references,
    make_dataset,
    parse_tsv,
    read_pairs,
    split_pairs,
)

__all__ = [
    "DATA_ENV", "DataNotFoundError", "filter_length", "find_data", "group_references", "make_dataset",
    "parse_tsv", "read_pairs", "split_pairs",
]  # fmt: skip
