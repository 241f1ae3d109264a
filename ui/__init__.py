"""Shared pieces of the Streamlit screens: language, formats, the signed-in session."""
