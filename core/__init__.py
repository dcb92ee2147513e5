"""attention-lab model package: text, data, attention layers, models, decoding, runs.

Nothing in this package imports Streamlit.
"""
