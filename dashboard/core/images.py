"""Decode, validate and normalise images from files and uploads.

Every image that enters the engine goes through :func:`decode_image`: it is checked
(size in bytes, declared size in pixels, format) *before* any pixel is decoded, then
turned into an RGB ``uint8`` array of shape ``(H, W, 3)`` with intensity levels
0..255: EXIF orientation applied, an embedded colour profile converted to sRGB,
transparency composited on white and the long side brought down to ``max_side`` with
a Lanczos filter.

Errors are :class:`ImageError` (a ``ValueError``) with a one-line message for the user
saying what was wrong and what is accepted.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

#: Pillow format names accepted, with the name shown to users. MPO is what Pillow
#: calls the JPEG files written by many cameras (a JPEG with extra frames).
ACCEPTED_FORMATS: dict[str, str] = {
    "JPEG": "JPEG",
    "MPO": "JPEG",
    "PNG": "PNG",
    "WEBP": "WebP",
    "GIF": "GIF",
    "TIFF": "TIFF",
    "BMP": "BMP",
}

# Pillow decoders tried; MPO files are opened by the JPEG decoder.
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP")

#: The accepted formats, as said to users.
ACCEPTED_FORMATS_TEXT = "JPEG, PNG, WebP, GIF, TIFF or BMP"

DEFAULT_MAX_SIDE = 1024
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000
#: Bytes per pixel that the decoding budget allows by default: ``max_pixels`` images of any
#: 8-bit mode decode within ``4 * max_pixels`` bytes (Pillow keeps RGB as 4 bytes a pixel).
DECODED_BYTES_PER_PIXEL = 4
#: Rows of a decoded image converted and reduced at a time (bytes of one band, about).
_BAND_BYTES = 8 * 1024 * 1024
#: Full-size copies of the pixels a decoder makes besides the image itself: libwebp decodes
#: into its own buffer, which Pillow copies twice more (measured with Pillow 13, libwebp 1.6).
_DECODER_COPIES = {"WEBP": 4}

# Modes Pillow converts to RGB without loss of meaning (8 bits per channel).
_DIRECT_RGB_MODES = frozenset({"RGB", "L", "1", "CMYK", "YCbCr", "RGBX"})
# Modes that carry an alpha channel, composited on white.
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_EXIF_ORIENTATION = 0x0112
# EXIF orientations that rotate by 90 degrees (with or without a mirror).
_ORIENTATIONS_SWAPPING_SIDES = frozenset({5, 6, 7, 8})


class ImageError(ValueError):
    """The bytes are not an image the app accepts; the message is meant for the user."""


@dataclass(frozen=True, eq=False)
class NormalisedImage:
    """An image ready for the engine.

    Attributes
    ----------
    pixels : np.ndarray
        ``uint8`` array ``(H, W, 3)``, C-contiguous, RGB intensity levels 0..255.
    original_size : tuple[int, int]
        ``(height, width)`` in pixels of the decoded image, after EXIF orientation and
        before downscaling.
    downscaled : bool
        Whether the long side was reduced to ``max_side``.
    format : str
        The file format, as shown to users (``"JPEG"``, ``"PNG"``, ``"WebP"`` ...).
    sha256 : str
        Hex SHA-256 of the encoded bytes (the file or upload as received).
    """

    pixels: np.ndarray
    original_size: tuple[int, int]
    downscaled: bool
    format: str
    sha256: str


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _check_positive(name: str, value: object, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        accepted = "a positive integer or None" if allow_none else "a positive integer"
        raise ValueError(f"{name}={value!r} is not valid; use {accepted}")


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / (1024 * 1024):.1f} MB"


def _identify_other_format(data: bytes) -> str | None:
    """Name the format of an image Pillow can read but we do not accept, if any."""
    try:
        with Image.open(io.BytesIO(data)) as other:
            return other.format
    except Exception:  # anything unreadable is simply "not an image"
        return None


def _declared_pixels(message: str) -> int | None:
    """The pixel count in Pillow's decompression-bomb message, if it states one."""
    match = re.search(r"\((\d+) pixels\)", message)
    return int(match.group(1)) if match else None


def _target_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """``(width, height)`` with the long side at most ``max_side``, aspect kept."""
    long_side = max(width, height)
    if max_side is None or long_side <= max_side:
        return width, height
    scale = max_side / long_side
    if width >= height:
        return max_side, max(1, round(height * scale))
    return max(1, round(width * scale)), max_side


def webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    r"""Width and height a WebP file declares, read from its first chunk (``VP8X``'s canvas,
    ``VP8L``'s or ``VP8 ``'s frame), or None when ``data`` is not a WebP file.

    Read before Pillow opens the file: opening it creates libwebp's animation decoder, which
    allocates its canvas (four bytes a pixel, twice) at once, before any size check.

    Examples
    --------
    >>> header = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00"
    >>> webp_canvas_size(header + (299).to_bytes(3, "little") + (199).to_bytes(3, "little"))
    (300, 200)
    >>> webp_canvas_size(b"\x89PNG\r\n\x1a\n") is None
    True
    """
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        return (int.from_bytes(data[24:27], "little") + 1,
                int.from_bytes(data[27:30], "little") + 1)
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        return (int.from_bytes(data[26:28], "little") & 0x3FFF,
                int.from_bytes(data[28:30], "little") & 0x3FFF)
    return None


def _decoded_bytes(image: Image.Image) -> int:
    """Bytes the decoded pixels of ``image`` take at its size, with the decoder's own copies.

    Pillow keeps 1 byte a pixel for modes 1, L and P, 2 for 16-bit greyscale and 4 for
    everything else (RGB included)."""
    mode = image.mode
    per_pixel = 1 if mode in {"1", "L", "P"} else 2 if mode.startswith("I;16") else 4
    width, height = image.size
    return width * height * per_pixel * _DECODER_COPIES.get(image.format or "", 1)


def _reduce_factors(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int]:
    """Whole factors that bring ``size`` down to at least ``target`` and under twice it (as
    libjpeg's draft mode does for JPEG); ``(1, 1)`` when no reduction is needed."""
    return tuple(max(1, whole // goal) for whole, goal in zip(size, target, strict=True))


def _working_mode(image: Image.Image) -> str:
    """The mode in which ``image`` can be box-averaged without changing what it shows:
    palette and bilevel images looked up, colour-key transparency made an alpha channel,
    16-bit greyscale widened to 32 bits."""
    mode = image.mode
    keyed = "transparency" in image.info
    if mode in {"P", "PA"}:
        return "RGBA" if keyed or mode == "PA" else "RGB"
    if mode == "1":
        return "L"
    if mode in {"L", "RGB"} and keyed:
        return "LA" if mode == "L" else "RGBA"
    if mode.startswith("I;16"):
        return "I"
    return mode


def _reduced(image: Image.Image, factors: tuple[int, int]) -> Image.Image:
    """``image`` (loaded) box-averaged by whole ``factors``, a band of rows at a time, so that
    no full-size copy of it is ever made. The result keeps the ICC profile."""
    factor_x, factor_y = factors
    width, height = image.size
    mode = _working_mode(image)
    result = Image.new(mode, (-(-width // factor_x), -(-height // factor_y)))
    rows = factor_y * max(1, _BAND_BYTES // (4 * width * factor_y))
    for top in range(0, height, rows):
        band = image.crop((0, top, width, min(top + rows, height)))
        if band.mode != mode:
            band = band.convert(mode)
        result.paste(band.reduce(factors), (0, top // factor_y))
    if image.info.get("icc_profile"):
        result.info["icc_profile"] = image.info["icc_profile"]
    return result


#: The transposition that undoes each EXIF orientation (as ImageOps.exif_transpose).
_UNDO_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _sixteen_bit_to_uint8(values: np.ndarray) -> np.ndarray:
    """Scale levels 0..65535 to 0..255, rounding to nearest (65535 / 255 = 257 exactly)."""
    clipped = np.clip(values, 0, 65535).astype(np.uint32)
    return ((clipped + 128) // 257).astype(np.uint8)


def _float_to_uint8(values: np.ndarray) -> np.ndarray:
    """Scale a float image to 0..255: [0, 1] data as is, anything else stretched min..max."""
    values = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = float(values.min()), float(values.max())
    if low < 0.0 or high > 1.0:
        span = high - low
        values = (values - low) / span if span > 0 else np.zeros_like(values)
    return np.rint(values * 255.0).astype(np.uint8)


def _composite_on_white(image: Image.Image) -> Image.Image:
    """RGB image of ``image`` (any mode with alpha) laid over a white background."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba.convert("RGB"), mask=rgba.getchannel("A"))
    return background


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert an image tagged with a non-sRGB ICC profile (Adobe RGB, Display P3, CMYK) to sRGB.

    The corpus was prepared the same way, so uploads and artworks are compared in
    one colour space. An unreadable profile is ignored (the pixels are taken as sRGB).
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(source).lower():
            return image
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB (levels 0..255)."""
    mode = image.mode
    # A tRNS colour key (P, L or RGB) makes some pixels transparent, like an alpha channel.
    if mode in _ALPHA_MODES or (mode in {"P", "L", "RGB"} and "transparency" in image.info):
        return _composite_on_white(image)
    if mode == "RGB":
        return image
    if mode == "P":
        return image.convert("RGB")
    if mode.startswith("I;16") or mode == "I":
        # Pillow's own I;16 -> L conversion clips at 255 instead of scaling.
        grey = _sixteen_bit_to_uint8(np.asarray(image))
        return Image.fromarray(grey).convert("RGB")
    if mode == "F":
        grey = _float_to_uint8(np.asarray(image))
        return Image.fromarray(grey).convert("RGB")
    if mode in _DIRECT_RGB_MODES:
        return image.convert("RGB")
    try:
        return image.convert("RGB")
    except ValueError as exc:
        raise ImageError(
            f"the image uses the colour mode {mode!r}, which cannot be converted to RGB; "
            "save it as 8-bit RGB or greyscale"
        ) from exc


def decode_image(
    data: bytes,
    *,
    max_side: int | None = DEFAULT_MAX_SIDE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_decoded_bytes: int | None = None,
) -> NormalisedImage:
    """Decode encoded image bytes into a normalised RGB ``uint8`` image.

    Parameters
    ----------
    data : bytes
        The encoded file (JPEG, PNG, WebP, GIF first frame, TIFF first page, BMP).
    max_side : int or None
        Long side of the result in pixels; larger images are downscaled with
        Lanczos, keeping the aspect ratio. ``None`` keeps the full size.
    max_bytes : int
        Largest accepted encoded size, bytes.
    max_pixels : int
        Largest accepted declared size, width x height in pixels. Checked from the
        header before decoding, so a decompression bomb is never expanded.
    max_decoded_bytes : int or None
        Largest memory the decoded pixels may take, bytes, at the size the decoder
        produces them (JPEG decodes scaled down to near ``max_side``); checked from the
        header before decoding. ``None``: ``DECODED_BYTES_PER_PIXEL * max_pixels``.
        Other formats are then box-averaged down to near ``max_side`` a band of rows at
        a time, so peak memory stays near this bound whatever the colour mode.

    Raises
    ------
    ImageError
        With a one-line message saying what was wrong and what is accepted.
    ValueError
        If a parameter is invalid (programming error, not user input).
    """
    _check_positive("max_side", max_side, allow_none=True)
    _check_positive("max_bytes", max_bytes)
    _check_positive("max_pixels", max_pixels)
    _check_positive("max_decoded_bytes", max_decoded_bytes, allow_none=True)
    if max_decoded_bytes is None:
        max_decoded_bytes = DECODED_BYTES_PER_PIXEL * max_pixels
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise ImageError(f"the file is empty; send a {ACCEPTED_FORMATS_TEXT} image")
    if len(data) > max_bytes:
        raise ImageError(f"the file is {_mb(len(data))}, larger than the {_mb(max_bytes)} accepted")

    if (canvas := webp_canvas_size(data)) is not None:
        width, height = canvas
        needed = width * height * 4 * _DECODER_COPIES["WEBP"]
        if width * height > max_pixels:
            raise ImageError(f"the image is {width}x{height} = {width * height:,} pixels; "
                             f"at most {max_pixels:,} pixels are accepted")
        if needed > max_decoded_bytes:
            raise ImageError(
                f"the image is {width}x{height} pixels in WebP, which takes {_mb(needed)} to "
                f"decode; this server decodes at most {_mb(max_decoded_bytes)}. Save it "
                "smaller or as an 8-bit JPEG or PNG")
    try:
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    except Image.DecompressionBombError as exc:
        declared = _declared_pixels(str(exc))
        size_text = f"{declared:,} pixels" if declared else "an enormous size in pixels"
        raise ImageError(
            f"the image declares {size_text}; at most {max_pixels:,} pixels are accepted"
        ) from None
    except UnidentifiedImageError:
        other = _identify_other_format(data)
        what = f"a {other} image" if other else "not an image this app can read"
        raise ImageError(f"the file is {what}; send a {ACCEPTED_FORMATS_TEXT} image") from None
    except Exception:  # a corrupt header must not crash a worker
        raise ImageError(
            f"the file is not a readable {ACCEPTED_FORMATS_TEXT} image "
            "(its header is damaged or cut short)"
        ) from None

    with image:
        shown_format = ACCEPTED_FORMATS.get(image.format or "", image.format or "unknown")
        width, height = image.size
        if width < 1 or height < 1:
            raise ImageError(f"the image declares a size of {width}x{height} pixels; it is empty")
        if width * height > max_pixels:
            raise ImageError(
                f"the image is {width}x{height} = {width * height:,} pixels; "
                f"at most {max_pixels:,} pixels are accepted"
            )
        target = _target_size(width, height, max_side)
        try:
            if image.format in {"JPEG", "MPO"} and target != (width, height):
                # Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding (never below target).
                image.draft(None, target)
            needed = _decoded_bytes(image)
            if needed > max_decoded_bytes:
                raise ImageError(
                    f"the image is {width}x{height} pixels in {shown_format} ({image.mode}), "
                    f"which takes {_mb(needed)} to decode; this server decodes at most "
                    f"{_mb(max_decoded_bytes)}. Save it smaller or as an 8-bit JPEG or PNG"
                )
            image.load()
            orientation = image.getexif().get(_EXIF_ORIENTATION)
            swaps_sides = orientation in _ORIENTATIONS_SWAPPING_SIDES
            factors = _reduce_factors(image.size, target)
            if factors != (1, 1):
                # Averaged down to near the analysis size before any conversion, so that
                # no copy of the full-size pixels is made in another mode; then resized to
                # the target from exactly the part the whole factors cover (Pillow's own
                # reducing_gap does the same), then turned upright.
                decoded_width, decoded_height = image.size
                reduced = _reduced(image, factors)
                image.close()  # the full-size pixels go before any conversion
                reduced = _to_rgb(_to_srgb(reduced))
                covered = (0, 0, decoded_width / factors[0], decoded_height / factors[1])
                rgb = reduced.resize(target, Image.Resampling.LANCZOS, box=covered)
                undo = _UNDO_ORIENTATION.get(orientation)
                rgb = rgb.transpose(undo) if undo else rgb
            else:
                rgb = _to_rgb(_to_srgb(ImageOps.exif_transpose(image)))
        except ImageError:
            raise
        except Exception as exc:  # truncated or corrupt pixel data
            reason = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
            raise ImageError(
                f"the {shown_format} image could not be decoded ({reason}); "
                "the file may be truncated or corrupt"
            ) from None

    original_size = (height, width) if swaps_sides else (width, height)
    original_hw = (original_size[1], original_size[0])
    final_target = _target_size(original_size[0], original_size[1], max_side)
    downscaled = final_target != original_size
    if rgb.size != final_target:
        rgb = rgb.resize(final_target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    pixels = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))
    return NormalisedImage(
        pixels=pixels,
        original_size=original_hw,
        downscaled=downscaled,
        format=shown_format,
        sha256=sha256_hex(data),
    )


def load_image(
    path: str | os.PathLike[str],
    *,
    max_side: int | None = DEFAULT_MAX_SIDE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_decoded_bytes: int | None = None,
) -> NormalisedImage:
    """Read an image file and normalise it like :func:`decode_image`.

    Raises :class:`ImageError` naming the file if it is missing, a directory, empty,
    too large, truncated or not an accepted image.
    """
    _check_positive("max_bytes", max_bytes)
    file = Path(path)
    try:
        if file.exists() and not file.is_dir() and not file.is_file():
            raise ImageError(f"{file} is not a regular file; give the path of a "
                             f"{ACCEPTED_FORMATS_TEXT} file")
        if file.is_dir():
            raise ImageError(f"{file} is a folder; give the path of a {ACCEPTED_FORMATS_TEXT} file")
        size = file.stat().st_size
        if size > max_bytes:
            raise ImageError(
                f"{file.name} is {_mb(size)}, larger than the {_mb(max_bytes)} accepted"
            )
        data = file.read_bytes()
    except FileNotFoundError:
        raise ImageError(
            f"{file} does not exist; give the path of a {ACCEPTED_FORMATS_TEXT} file") from None
    except PermissionError:
        raise ImageError(f"{file} cannot be read (permission denied)") from None
    except IsADirectoryError:
        raise ImageError(
            f"{file} is a folder; give the path of a {ACCEPTED_FORMATS_TEXT} file") from None
    except OSError as exc:
        raise ImageError(f"{file} cannot be read ({exc.strerror or exc})") from None
    try:
        return decode_image(data, max_side=max_side, max_bytes=max_bytes, max_pixels=max_pixels,
                            max_decoded_bytes=max_decoded_bytes)
    except ImageError as exc:
        raise ImageError(f"{file.name}: {exc}") from None
