"""Figure builders: core results in, ``go.Figure`` out. Styling only, no computation."""
