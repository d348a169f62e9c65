"""Decoding, validation and normalisation of image files and uploads.

Every test image is generated here with Pillow; no artwork is ever used.
"""

from __future__ import annotations

import hashlib
import io
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from skimage import data as skimage_data

from dashboard.core.images import (
    ACCEPTED_FORMATS_TEXT,
    ImageError,
    NormalisedImage,
    decode_image,
    load_image,
    sha256_hex,
    webp_canvas_size,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def random_rgb(height: int, width: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)


def assert_engine_image(result: NormalisedImage) -> None:
    assert result.pixels.dtype == np.uint8
    assert result.pixels.ndim == 3 and result.pixels.shape[2] == 3
    assert result.pixels.flags.c_contiguous


def single_line_error(excinfo: pytest.ExceptionInfo[ImageError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


# --- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "shown"), [("PNG", "PNG"), ("BMP", "BMP"), ("TIFF", "TIFF"), ("WEBP", "WebP")]
)
def test_lossless_formats_round_trip_exactly(fmt: str, shown: str) -> None:
    pixels = random_rgb(20, 30)
    options = {"lossless": True} if fmt == "WEBP" else {}
    data = encode(Image.fromarray(pixels), fmt, **options)
    result = decode_image(data)
    assert_engine_image(result)
    np.testing.assert_array_equal(result.pixels, pixels)
    assert result.format == shown
    assert result.original_size == (20, 30)
    assert result.downscaled is False
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_jpeg_decodes_close_to_the_source() -> None:
    # A smooth image survives JPEG at quality 95 within a few levels.
    y, x = np.mgrid[0:64, 0:96]
    pixels = np.stack([x * 2, y * 3, (x + y)], axis=-1).astype(np.uint8)
    result = decode_image(encode(Image.fromarray(pixels), "JPEG", quality=95))
    assert result.format == "JPEG"
    assert np.abs(result.pixels.astype(int) - pixels).mean() < 2.0


def test_gif_keeps_only_the_first_frame() -> None:
    frames = [Image.new("RGB", (8, 6), RED), Image.new("RGB", (8, 6), BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    result = decode_image(data)
    assert result.format == "GIF"
    assert result.pixels.shape == (6, 8, 3)
    assert (result.pixels == RED).all()


def test_tiff_keeps_only_the_first_page() -> None:
    pages = [Image.new("RGB", (5, 4), BLUE), Image.new("RGB", (5, 4), RED)]
    data = encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    result = decode_image(data)
    assert (result.pixels == BLUE).all()


def test_other_formats_are_rejected_by_name() -> None:
    data = encode(Image.new("RGB", (4, 4)), "PPM")
    with pytest.raises(ImageError) as excinfo:
        decode_image(data)
    message = single_line_error(excinfo)
    assert "PPM" in message
    assert ACCEPTED_FORMATS_TEXT in message


@pytest.mark.parametrize("data", [b"hello, world", b"%PDF-1.4\n" + b"0" * 100, bytes(range(256))])
def test_non_images_are_rejected(data: bytes) -> None:
    with pytest.raises(ImageError) as excinfo:
        decode_image(data)
    message = single_line_error(excinfo)
    assert "not an image" in message
    assert ACCEPTED_FORMATS_TEXT in message


def test_empty_bytes_are_rejected() -> None:
    with pytest.raises(ImageError, match="empty"):
        decode_image(b"")


# --- modes --------------------------------------------------------------------------------


def test_greyscale_is_replicated_into_three_channels() -> None:
    grey = np.array([[0, 100, 255]], dtype=np.uint8)
    result = decode_image(encode(Image.fromarray(grey, mode="L"), "PNG"))
    np.testing.assert_array_equal(result.pixels, np.repeat(grey[..., None], 3, axis=2))


def test_bilevel_becomes_black_and_white() -> None:
    image = Image.new("1", (3, 1))
    image.putpixel((1, 0), 1)
    result = decode_image(encode(image, "PNG"))
    np.testing.assert_array_equal(result.pixels[0, :, 0], [0, 255, 0])
    assert (result.pixels[..., 0] == result.pixels[..., 2]).all()


def test_palette_colours_are_looked_up() -> None:
    image = Image.new("P", (2, 1))
    image.putpalette([10, 20, 30, 200, 150, 100] + [0] * (256 * 3 - 6))
    image.putpixel((1, 0), 1)
    result = decode_image(encode(image, "PNG"))
    np.testing.assert_array_equal(result.pixels[0], [[10, 20, 30], [200, 150, 100]])


def test_palette_transparency_is_composited_on_white() -> None:
    image = Image.new("P", (2, 1))
    image.putpalette([10, 20, 30, 200, 150, 100] + [0] * (256 * 3 - 6))
    image.putpixel((1, 0), 1)
    data = encode(image, "PNG", transparency=0)  # palette index 0 is fully transparent
    result = decode_image(data)
    np.testing.assert_array_equal(result.pixels[0], [[255, 255, 255], [200, 150, 100]])


@pytest.mark.parametrize("alpha", [0, 64, 128, 255])
def test_rgba_is_composited_on_white(alpha: int) -> None:
    colour = np.array([200, 40, 0])
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = alpha
    result = decode_image(encode(Image.fromarray(rgba, mode="RGBA"), "PNG"))
    # Over white: c * a/255 + 255 * (1 - a/255), to within one level of rounding.
    expected = colour * alpha / 255 + 255 * (1 - alpha / 255)
    assert np.abs(result.pixels.astype(float) - expected).max() <= 1.0


def test_rgb_colour_key_transparency_is_composited_on_white() -> None:
    pixels = np.array([[[1, 2, 3], [9, 8, 7]]], dtype=np.uint8)
    data = encode(Image.fromarray(pixels), "PNG", transparency=(1, 2, 3))
    result = decode_image(data)
    np.testing.assert_array_equal(result.pixels[0], [[255, 255, 255], [9, 8, 7]])


def test_float_tiff_is_stretched_from_its_own_minimum() -> None:
    values = np.array([[2.0, 6.0, 10.0]], dtype=np.float32)
    result = decode_image(encode(Image.fromarray(values), "TIFF"))
    np.testing.assert_array_equal(result.pixels[0, :, 0], [0, 128, 255])


def test_greyscale_with_alpha_is_composited_on_white() -> None:
    la = np.array([[[0, 0], [0, 255], [100, 255]]], dtype=np.uint8)
    result = decode_image(encode(Image.fromarray(la, mode="LA"), "PNG"))
    np.testing.assert_array_equal(result.pixels[0, :, 0], [255, 0, 100])
    np.testing.assert_array_equal(result.pixels[0, :, 1], [255, 0, 100])


def test_sixteen_bit_greyscale_is_scaled_not_clipped() -> None:
    levels16 = np.array([[0, 128, 129, 257, 1000, 32768, 65535]], dtype=np.uint16)
    image = Image.fromarray(levels16)
    assert image.mode == "I;16"
    result = decode_image(encode(image, "PNG"))
    # 65535 / 255 = 257, so the 8-bit level is round(v / 257).
    expected = [round(v / 257) for v in levels16[0].tolist()]
    assert expected == [0, 0, 1, 1, 4, 128, 255]
    np.testing.assert_array_equal(result.pixels[0, :, 0], expected)
    assert (result.pixels[..., 1] == result.pixels[..., 0]).all()


def test_thirty_two_bit_integer_tiff_uses_the_sixteen_bit_scale() -> None:
    levels = np.array([[0, 257, 65535, 70000, -5]], dtype=np.int32)
    data = encode(Image.fromarray(levels), "TIFF")
    assert Image.open(io.BytesIO(data)).mode == "I"
    result = decode_image(data)
    np.testing.assert_array_equal(result.pixels[0, :, 0], [0, 1, 255, 255, 0])


def test_float_tiff_in_unit_range_is_scaled_by_255() -> None:
    values = np.array([[0.0, 0.25, 0.5, 1.0]], dtype=np.float32)
    result = decode_image(encode(Image.fromarray(values), "TIFF"))
    np.testing.assert_array_equal(result.pixels[0, :, 0], np.rint(values[0] * 255))


def test_float_tiff_outside_unit_range_is_stretched() -> None:
    values = np.array([[-10.0, 0.0, 10.0]], dtype=np.float32)
    result = decode_image(encode(Image.fromarray(values), "TIFF"))
    np.testing.assert_array_equal(result.pixels[0, :, 0], [0, 128, 255])  # rint(127.5) = 128


def test_cmyk_is_converted_to_rgb() -> None:
    cmyk = np.array([[[0, 0, 0, 0], [0, 0, 0, 255], [255, 0, 0, 0]]], dtype=np.uint8)
    result = decode_image(encode(Image.fromarray(cmyk, mode="CMYK"), "TIFF"))
    np.testing.assert_array_equal(result.pixels[0], [[255, 255, 255], [0, 0, 0], [0, 255, 255]])


def test_cmyk_jpeg_is_converted_to_rgb() -> None:
    data = encode(Image.new("CMYK", (16, 16), (0, 0, 0, 0)), "JPEG", quality=95)
    result = decode_image(data)
    assert result.format == "JPEG"
    assert (result.pixels >= 250).all()


# --- orientation and size -----------------------------------------------------------------


def test_exif_orientation_is_applied() -> None:
    stored = np.zeros((20, 40, 3), dtype=np.uint8)
    stored[:, :20] = RED  # left half red, right half blue
    stored[:, 20:] = BLUE
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    data = encode(image, "JPEG", quality=95, exif=exif.tobytes())
    result = decode_image(data)
    assert result.pixels.shape == (40, 20, 3)
    assert result.original_size == (40, 20)
    expected = np.rot90(stored, k=-1)  # numpy's clockwise quarter turn, independent of Pillow
    assert np.abs(result.pixels.astype(int) - expected).mean() < 3.0
    assert tuple(result.pixels[2, 10]) == pytest.approx(RED, abs=8)  # the top is now red
    assert tuple(result.pixels[37, 10]) == pytest.approx(BLUE, abs=8)


def test_exif_orientation_counts_for_the_downscaled_size() -> None:
    image = Image.new("RGB", (400, 100), RED)
    exif = image.getexif()
    exif[0x0112] = 8
    result = decode_image(encode(image, "JPEG", exif=exif.tobytes()), max_side=200)
    assert result.original_size == (400, 100)
    assert result.pixels.shape == (200, 50, 3)
    assert result.downscaled is True


@pytest.mark.parametrize(
    ("size_wh", "max_side", "expected_hw"),
    [
        ((300, 200), 100, (67, 100)),  # 200 * 100 / 300 = 66.7
        ((200, 300), 100, (100, 67)),
        ((300, 300), 64, (64, 64)),
        ((90, 60), 100, (60, 90)),  # never enlarged
        ((1000, 3), 100, (1, 100)),  # at least one pixel
    ],
)
def test_downscale_keeps_the_aspect_ratio(size_wh, max_side, expected_hw) -> None:
    data = encode(Image.new("RGB", size_wh, (10, 200, 30)), "PNG")
    result = decode_image(data, max_side=max_side)
    assert result.pixels.shape == (*expected_hw, 3)
    assert result.original_size == (size_wh[1], size_wh[0])
    assert result.downscaled is (expected_hw != (size_wh[1], size_wh[0]))
    # A flat colour stays exactly that colour through a Lanczos filter.
    assert (result.pixels == (10, 200, 30)).all()


def test_downscale_preserves_mean_level_of_a_gradient() -> None:
    x = np.linspace(0, 255, 600)
    pixels = np.broadcast_to(x[None, :, None], (200, 600, 3)).round().astype(np.uint8)
    result = decode_image(encode(Image.fromarray(pixels), "PNG"), max_side=150)
    assert result.pixels.shape == (50, 150, 3)
    assert abs(result.pixels.mean() - pixels.mean()) < 0.5
    assert np.all(np.diff(result.pixels[25, 5:-5, 0].astype(int)) >= 0)  # still monotone


def test_max_side_none_keeps_full_size() -> None:
    pixels = random_rgb(50, 2100)
    result = decode_image(encode(Image.fromarray(pixels), "PNG"), max_side=None)
    np.testing.assert_array_equal(result.pixels, pixels)
    assert result.downscaled is False


def test_large_jpeg_downscaled_while_decoding_matches_a_full_decode() -> None:
    y, x = np.mgrid[0:1200, 0:2400]
    pixels = np.stack([x % 256, y % 256, (x // 10) % 256], axis=-1).astype(np.uint8)
    data = encode(Image.fromarray(pixels), "JPEG", quality=92)
    result = decode_image(data, max_side=300)
    assert result.pixels.shape == (150, 300, 3)
    assert result.original_size == (1200, 2400)
    full = np.asarray(Image.open(io.BytesIO(data)).convert("RGB").resize((300, 150), Image.BOX))
    assert np.abs(result.pixels.astype(int) - full).mean() < 6.0


# --- limits -------------------------------------------------------------------------------


def test_too_many_bytes_is_rejected() -> None:
    data = encode(Image.fromarray(random_rgb(64, 64)), "PNG")
    with pytest.raises(ImageError) as excinfo:
        decode_image(data, max_bytes=1000)
    assert "larger than" in single_line_error(excinfo)


def test_too_many_pixels_is_rejected_with_the_size() -> None:
    data = encode(Image.new("RGB", (200, 100)), "PNG")
    with pytest.raises(ImageError) as excinfo:
        decode_image(data, max_pixels=19_999)
    message = single_line_error(excinfo)
    assert "200x100" in message and "20,000" in message and "19,999" in message
    assert decode_image(data, max_pixels=20_000).pixels.shape == (100, 200, 3)


def png_declaring(width: int, height: int) -> bytes:
    """A 1x1 PNG whose IHDR is patched to declare ``width`` x ``height`` (CRC fixed)."""
    data = bytearray(encode(Image.new("RGB", (1, 1)), "PNG"))
    assert data[12:16] == b"IHDR"
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (10000, 6000)])
def test_decompression_bomb_is_rejected_without_decoding(width: int, height: int) -> None:
    data = png_declaring(width, height)
    tracemalloc.start()
    try:
        with pytest.raises(ImageError) as excinfo:
            decode_image(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = single_line_error(excinfo)
    assert f"{width * height:,} pixels" in message
    assert "50,000,000" in message
    assert peak < 5 * 1024 * 1024  # nowhere near the width * height * 3 bytes of pixels


def test_pillow_global_limit_is_left_untouched() -> None:
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageError):
        decode_image(png_declaring(300, 300), max_pixels=100)
    assert Image.MAX_IMAGE_PIXELS == before


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_files_are_rejected(fmt: str) -> None:
    data = encode(Image.fromarray(random_rgb(120, 160)), fmt)
    with pytest.raises(ImageError) as excinfo:
        decode_image(data[: len(data) // 2])
    message = single_line_error(excinfo)
    assert "truncated" in message or "cut short" in message


@pytest.mark.parametrize(
    ("name", "value"),
    [("max_side", 0), ("max_side", -3), ("max_bytes", 0), ("max_pixels", 1.5), ("max_side", True)],
)
def test_invalid_parameters_name_themselves(name: str, value: object) -> None:
    data = encode(Image.new("RGB", (2, 2)), "PNG")
    with pytest.raises(ValueError, match=name) as excinfo:
        decode_image(data, **{name: value})
    assert not isinstance(excinfo.value, ImageError)


def test_sha256_hex_matches_hashlib() -> None:
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()


# --- files --------------------------------------------------------------------------------


def test_load_image_reads_a_file(tmp_path) -> None:
    pixels = random_rgb(10, 12)
    path = tmp_path / "picture.png"
    Image.fromarray(pixels).save(path)
    result = load_image(path)
    np.testing.assert_array_equal(result.pixels, pixels)
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_image_passes_options(tmp_path) -> None:
    path = tmp_path / "wide.png"
    Image.new("RGB", (400, 100)).save(path)
    assert load_image(path, max_side=40).pixels.shape == (10, 40, 3)
    with pytest.raises(ImageError, match="pixels"):
        load_image(path, max_pixels=1000)
    with pytest.raises(ImageError, match="larger than"):
        load_image(path, max_bytes=10)


def test_load_image_missing_file(tmp_path) -> None:
    with pytest.raises(ImageError, match="does not exist"):
        load_image(tmp_path / "nope.jpg")


def test_load_image_directory(tmp_path) -> None:
    with pytest.raises(ImageError, match="folder"):
        load_image(tmp_path)


def test_load_image_empty_file(tmp_path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match=r"empty\.jpg: the file is empty"):
        load_image(path)


def test_load_image_truncated_file(tmp_path) -> None:
    data = encode(Image.fromarray(random_rgb(100, 100)), "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ImageError, match=r"cut\.jpg: .*truncated"):
        load_image(path)


def test_load_image_not_an_image(tmp_path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("just some text, named like a JPEG")
    with pytest.raises(ImageError, match=r"notes\.jpg: the file is not an image"):
        load_image(path)


# --- colour profiles ----------------------------------------------------------------------


def bundled_icc_profile(file_name: str) -> bytes:
    """The ICC profile embedded in one of scikit-image's bundled sample images."""
    import skimage.data

    with Image.open(f"{skimage.data.data_dir}/{file_name}") as sample:
        return sample.info["icc_profile"]


def adobe_rgb_to_srgb(levels: np.ndarray) -> np.ndarray:
    """Adobe RGB (1998) levels 0..255 to sRGB levels, from the published D65 matrices."""
    linear = (levels / 255.0) ** (563 / 256)
    adobe_to_xyz = np.array(
        [
            [0.5767309, 0.1855540, 0.1881852],
            [0.2973769, 0.6273491, 0.0752741],
            [0.0270343, 0.0706872, 0.9911085],
        ]
    )
    srgb_to_xyz = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    srgb_linear = np.clip(linear @ adobe_to_xyz.T @ np.linalg.inv(srgb_to_xyz).T, 0, 1)
    encoded = np.where(
        srgb_linear <= 0.0031308, 12.92 * srgb_linear, 1.055 * srgb_linear ** (1 / 2.4) - 0.055
    )
    return np.rint(encoded * 255)


def test_adobe_rgb_profile_is_converted_to_srgb() -> None:
    colours = np.array(
        [[[128, 128, 128], [0, 128, 0], [200, 60, 30], [255, 255, 255], [40, 90, 200]]],
        dtype=np.uint8,
    )
    icc = bundled_icc_profile("rocket.jpg")  # tagged "Adobe RGB (1998)"
    result = decode_image(encode(Image.fromarray(colours), "PNG", icc_profile=icc))
    assert np.abs(result.pixels.astype(int) - adobe_rgb_to_srgb(colours)).max() <= 1


def test_srgb_profile_and_broken_profiles_leave_pixels_alone() -> None:
    pixels = random_rgb(4, 5)
    srgb = bundled_icc_profile("astronaut.png")
    for icc in (srgb, b"not an icc profile"):
        result = decode_image(encode(Image.fromarray(pixels), "PNG", icc_profile=icc))
        np.testing.assert_array_equal(result.pixels, pixels)


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(1, 300),
    height=st.integers(1, 300),
    max_side=st.integers(1, 320),
)
def test_downscaled_size_property(width: int, height: int, max_side: int) -> None:
    result = decode_image(
        encode(Image.new("RGB", (width, height), (5, 6, 7)), "PNG"), max_side=max_side
    )
    out_h, out_w = result.pixels.shape[:2]
    assert max(out_h, out_w) == min(max(width, height), max_side)
    assert result.downscaled is (max(width, height) > max_side)
    # The aspect ratio is kept to within the rounding of the short side (half a pixel).
    if result.downscaled:
        scale = max_side / max(width, height)
        assert abs(out_w - width * scale) <= 0.5 + 1e-9 or out_w == 1
        assert abs(out_h - height * scale) <= 0.5 + 1e-9 or out_h == 1
    assert (result.pixels == (5, 6, 7)).all()


def test_a_device_or_pipe_is_refused_without_reading_it():
    from dashboard.core.images import ImageError, load_image

    with pytest.raises(ImageError, match="not a regular file"):
        load_image("/dev/zero")


# --- memory: reduced while loading, refused when the decoded pixels cannot fit -------------


def lanczos_reference(image: Image.Image, size: tuple[int, int],
                      reducing_gap: float | None = None) -> np.ndarray:
    """The image composited on white at full size, then resized with Lanczos (after a box
    reduction by whole factors when ``reducing_gap`` is given)."""
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGB"), mask=image.getchannel("A"))
        image = background
    resized = image.convert("RGB").resize(size, Image.Resampling.LANCZOS,
                                          reducing_gap=reducing_gap)
    return np.asarray(resized).astype(int)


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_a_large_image_reduced_while_loading_matches_a_full_size_resize(mode: str) -> None:
    astronaut = Image.fromarray(skimage_data.astronaut()).resize((2600, 1700))
    pixels = np.asarray(astronaut.convert("RGBA")).copy()
    pixels[..., 3] = np.linspace(0, 255, 2600, dtype=np.uint8)[None, :]
    image = Image.fromarray(pixels, "RGBA").convert(mode)
    result = decode_image(encode(image, "PNG"), max_side=800)
    assert result.pixels.shape == (523, 800, 3) and result.downscaled
    # Pillow's reducing_gap=1.0 (a box reduction by 3, then Lanczos), up to the rounding of
    # 8-bit premultiplied alpha where transparency is composited after the reduction ...
    same_steps = lanczos_reference(image, (800, 523), reducing_gap=1.0)
    assert np.abs(result.pixels.astype(int) - same_steps).max() <= (1 if mode == "RGB" else 3)
    # ... and within half a level on average of a Lanczos resize from the full size.
    fair = np.abs(result.pixels.astype(int) - lanczos_reference(image, (800, 523)))
    assert fair.mean() < 0.5


@pytest.mark.parametrize(("image", "expected"), [
    (Image.new("P", (2100, 900), 0), (200, 40, 10)),  # palette entry 0 below
    (Image.new("1", (2100, 900), 1), (255, 255, 255)),
    (Image.new("LA", (2100, 900), (100, 255)), (100, 100, 100)),
    (Image.new("LA", (2100, 900), (100, 0)), (255, 255, 255)),
    (Image.new("I;16", (2100, 900), 257 * 40), (40, 40, 40)),
    (Image.new("F", (2100, 900), 0.5), (128, 128, 128)),
])
def test_every_mode_keeps_its_meaning_when_reduced(image: Image.Image, expected) -> None:
    if image.mode == "P":
        image.putpalette([200, 40, 10] * 256)
    fmt = "TIFF" if image.mode == "F" else "PNG"
    result = decode_image(encode(image, fmt), max_side=300)
    assert result.pixels.shape == (129, 300, 3)
    assert {tuple(p) for p in result.pixels.reshape(-1, 3)} == {expected}


def test_palette_transparency_is_composited_when_reduced() -> None:
    image = Image.new("P", (2100, 900), 1)
    image.putpalette([0, 0, 0, 10, 20, 30] + [0, 0, 0] * 254)
    image.paste(0, (0, 0, 1050, 900))  # left half: the transparent entry
    result = decode_image(encode(image, "PNG", transparency=0), max_side=300)
    assert tuple(result.pixels[64, 10]) == (255, 255, 255)
    assert tuple(result.pixels[64, 290]) == (10, 20, 30)


def test_exif_orientation_is_applied_when_reduced() -> None:
    stored = np.zeros((1000, 2400, 3), dtype=np.uint8)
    stored[:, :1200] = RED
    stored[:, 1200:] = BLUE
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    result = decode_image(encode(image, "PNG", exif=exif.tobytes()), max_side=480)
    assert result.original_size == (2400, 1000)
    assert result.pixels.shape == (480, 200, 3)
    assert tuple(result.pixels[5, 100]) == RED and tuple(result.pixels[474, 100]) == BLUE


def test_a_colour_profile_is_converted_when_reduced() -> None:
    colours = np.array([[[200, 60, 30]]], dtype=np.uint8)
    icc = bundled_icc_profile("rocket.jpg")  # tagged "Adobe RGB (1998)"
    image = Image.fromarray(np.broadcast_to(colours, (900, 2100, 3)).copy())
    result = decode_image(encode(image, "PNG", icc_profile=icc), max_side=300)
    assert np.abs(result.pixels[50, 50].astype(int) - adobe_rgb_to_srgb(colours)[0, 0]).max() <= 1


@pytest.mark.parametrize(("fmt", "mode", "copies", "bytes_per_pixel"), [
    ("PNG", "RGBA", 1, 4), ("PNG", "L", 1, 1), ("PNG", "I;16", 1, 2), ("TIFF", "F", 1, 4),
    ("WEBP", "RGB", 4, 4),
])
def test_an_image_whose_decoded_pixels_cannot_fit_is_refused_before_decoding(
        fmt: str, mode: str, copies: int, bytes_per_pixel: int) -> None:
    data = encode(Image.new(mode, (1000, 500)), fmt)
    needed = 1000 * 500 * bytes_per_pixel * copies
    assert decode_image(data, max_decoded_bytes=needed).pixels.shape == (500, 1000, 3)
    with pytest.raises(ImageError) as excinfo:
        decode_image(data, max_decoded_bytes=needed - 1)
    message = single_line_error(excinfo)
    assert f"takes {needed / 2**20:.1f} MB to decode" in message and "1000x500" in message


def test_the_decoding_budget_defaults_to_four_bytes_per_accepted_pixel() -> None:
    data = encode(Image.new("RGBA", (100, 50)), "WEBP", lossless=True)  # 4 copies: 80,000 B
    assert decode_image(data, max_pixels=20_000).pixels.shape == (50, 100, 3)
    with pytest.raises(ImageError, match="to decode"):
        decode_image(data, max_pixels=19_999)


def test_a_jpeg_is_budgeted_at_the_size_it_decodes_to() -> None:
    data = encode(Image.new("RGB", (4000, 2000), RED), "JPEG")
    # Drafted to 1/4 (1000 x 500) for a long side of 1000: 2 MB, not 32 MB.
    assert decode_image(data, max_side=1000, max_decoded_bytes=2_000_000).downscaled
    with pytest.raises(ImageError, match="to decode"):
        decode_image(data, max_side=None, max_decoded_bytes=2_000_000)


@pytest.mark.parametrize("options", [{"lossless": True}, {}, {"exif": b"Exif\x00\x00"}])
@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_webp_canvas_size_is_read_from_the_header_of_every_kind(options, mode):
    buffer = io.BytesIO()
    Image.new(mode, (301, 203), (10, 20, 30)).save(buffer, "WEBP", **options)
    assert webp_canvas_size(buffer.getvalue()) == (301, 203)
    assert webp_canvas_size(b"RIFF\x00\x00\x00\x00WEBPVP8?" + bytes(20)) is None


def test_a_webp_over_the_decoding_budget_is_refused_before_it_is_opened():
    buffer = io.BytesIO()
    Image.new("RGB", (600, 500), (1, 2, 3)).save(buffer, "WEBP", lossless=True)
    # 600 x 500 pixels, 4 bytes a pixel, libwebp's and Pillow's 4 copies: 4.6 MiB.
    with pytest.raises(ImageError, match=r"600x500 pixels in WebP, which takes 4\.6 MB"):
        decode_image(buffer.getvalue(), max_decoded_bytes=4_000_000)
    with pytest.raises(ImageError, match="600x500 = 300,000 pixels; at most 299,999"):
        decode_image(buffer.getvalue(), max_pixels=299_999)
    loaded = decode_image(buffer.getvalue(), max_decoded_bytes=5_000_000)
    assert loaded.pixels.shape[:2] == (500, 600)
