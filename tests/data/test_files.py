"""The one atomic write and the one JPEG encoder."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, JpegImagePlugin

from dashboard.data import files
from dashboard.data.files import encode_jpeg, write_atomically

# ------------------------------------------------------------------------- atomic write


def test_writes_a_new_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "entry.npz"
    write_atomically(target, b"\x00\x01new")
    assert target.read_bytes() == b"\x00\x01new"
    assert [p.name for p in tmp_path.iterdir()] == ["entry.npz"]


def test_replaces_by_rename_and_readers_see_the_old_file_until_then(tmp_path, monkeypatch):
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old")
    old_inode = target.stat().st_ino
    seen = {}
    real_replace = os.replace

    def replace(source, destination):
        # The new bytes are complete in the temporary file, the target is still the old one.
        seen["temp"] = os.path.basename(source)
        seen["temp bytes"] = Path(source).read_bytes()
        seen["target bytes"] = target.read_bytes()
        real_replace(source, destination)

    monkeypatch.setattr(files.os, "replace", replace)
    write_atomically(str(target), b"new bytes")
    assert seen["temp bytes"] == b"new bytes"
    assert seen["target bytes"] == b"old"
    assert seen["temp"].startswith(files.TEMP_PREFIX) and seen["temp"].endswith(files.TEMP_SUFFIX)
    assert target.read_bytes() == b"new bytes"
    assert target.stat().st_ino != old_inode  # a new file renamed over, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failure_leaves_no_temporary_file_and_the_old_contents(tmp_path, monkeypatch, failing):
    target = tmp_path / "photo.jpg"
    target.write_bytes(b"old")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, failing, fail)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["photo.jpg"]


def test_data_that_cannot_be_written_leaves_no_file(tmp_path):
    with pytest.raises(TypeError):
        write_atomically(tmp_path / "x.json", "text, not bytes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_error_not_created(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "x.json", b"{}")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------- JPEG


def smooth_image(height: int = 48, width: int = 64) -> np.ndarray:
    """Gentle gradients in every channel: what JPEG keeps within a few levels."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([40 + 3 * x, 60 + 2 * y, 200 - x - y], axis=-1)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def decode(data: bytes) -> tuple[np.ndarray, Image.Image]:
    image = Image.open(io.BytesIO(data))
    image.load()
    return np.asarray(image.convert("RGB")), image


def test_jpeg_round_trip_within_jpeg_error():
    rgb = smooth_image()
    data = encode_jpeg(rgb, quality=90)
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"  # start and end of image
    decoded, image = decode(data)
    assert image.format == "JPEG" and image.size == (64, 48)
    error = np.abs(decoded.astype(int) - rgb.astype(int))
    assert error.mean() < 1.0  # 0.86 levels with Pillow's libjpeg
    assert error.max() <= 6


def test_a_flat_grey_survives_exactly():
    grey = np.full((16, 16, 3), 100, dtype=np.uint8)
    decoded, _ = decode(encode_jpeg(grey, quality=85))
    np.testing.assert_array_equal(decoded, grey)


def test_baseline_420_without_metadata_and_quality_per_caller():
    rgb = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    low, high = encode_jpeg(rgb, quality=50), encode_jpeg(rgb, quality=95)
    assert len(low) < len(high)
    _, image = decode(high)
    assert JpegImagePlugin.get_sampling(image) == 2  # 4:2:0 chroma
    assert "progressive" not in image.info and "exif" not in image.info
    assert "icc_profile" not in image.info


@pytest.mark.parametrize("quality", [0, 101, 85.0, True, None])
def test_bad_quality_is_named(quality):
    with pytest.raises(ValueError, match=r"quality must be an integer in 1\.\.100"):
        encode_jpeg(smooth_image(), quality=quality)


@pytest.mark.parametrize(
    ("rgb", "fragment"),
    [
        (np.zeros((4, 4, 3), np.float64), "rgb must have dtype uint8"),
        (np.zeros((4, 4), np.uint8), r"rgb must have shape \(H, W, 3\)"),
        ([[[0, 0, 0]]], "rgb must be a numpy uint8 array"),
    ],
)
def test_bad_images_are_named(rgb, fragment):
    with pytest.raises(ValueError, match=fragment):
        encode_jpeg(rgb, quality=85)
