"""Dashboard layer: access, queries, charts, formatting and page scaffolding for Streamlit."""
