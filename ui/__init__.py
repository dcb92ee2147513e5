"""Streamlit helpers shared by the pages: cached model access, the sidebar, charts."""
