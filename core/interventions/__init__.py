"""Interventions: change what the model computes and see what its translation does.

Each one is an *argument* of a compiled decoding function (a head mask, a replacement
attention row, an edited source), never a flag on a shared layer, so one loaded model still
serves every user and each function is traced once per model.

May import :mod:`core.text`, :mod:`core.data`, :mod:`core.attention`, :mod:`core.layers`,
:mod:`core.models`, :mod:`core.runs`, :mod:`core.decoding` and :mod:`core.evaluate`.
"""
