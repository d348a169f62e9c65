"""Folders of generated images (never artworks) for the index, collection and benchmark tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

#: Formats written in turn: every one the app accepts for an upload that Pillow can write.
FORMATS = (("png", "PNG"), ("jpg", "JPEG"), ("webp", "WEBP"), ("bmp", "BMP"), ("tif", "TIFF"))


def generated_image(seed: int, side: int) -> np.ndarray:
    """A ``side`` x ``side`` RGB image: a seeded colour with a ramp and seeded noise."""
    rng = np.random.default_rng(seed)
    base = rng.integers(30, 225, size=3)
    ramp = np.linspace(-25, 25, side)[None, :, None]
    noise = rng.normal(0, 12, size=(side, side, 3))
    return np.clip(base + ramp + noise, 0, 255).round().astype(np.uint8)


def write_images(folder: Path, n: int, side: int = 24, *, first_seed: int = 0,
                 formats: tuple[tuple[str, str], ...] = FORMATS) -> list[Path]:
    """Write ``n`` generated images named ``img-0000.<ext>`` ... into ``folder`` (created),
    cycling through ``formats``; returns their paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        suffix, kind = formats[i % len(formats)]
        path = folder / f"img-{i:04d}.{suffix}"
        Image.fromarray(generated_image(first_seed + i, side)).save(path, kind)
        paths.append(path)
    return paths
