"""Pure numpy / scikit-image engine: no Dash, no plotly."""
