"""The diffusion page at ``/diffusion``: a diffusion model's forward process on one painting,
exactly, and what a denoiser that knows only the painting's colours can undo."""
