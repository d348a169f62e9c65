"""Bytes to and from disk: one atomic file write and one JPEG encoder for every caller.

Examples
--------
>>> import numpy as np
>>> encode_jpeg(np.zeros((8, 8, 3), dtype=np.uint8), quality=85)[:3]
b'\\xff\\xd8\\xff'
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from dashboard.core.vocabulary import validate_image, validate_int

#: Prefix and suffix of the temporary file beside the target: hidden, and never taken for an
#: image or an index entry by a folder scan while it is being written.
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".part"


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder, are flushed to disk, then the file is
    renamed over ``path`` (``os.replace``, atomic on one file system). If anything fails the
    temporary file is removed and ``path`` is left as it was. The folder must exist.
    """
    target = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def encode_jpeg(rgb: np.ndarray, *, quality: int) -> bytes:
    """Baseline JPEG bytes of an RGB uint8 image (levels 0..255), 4:2:0 chroma, no metadata.

    ``quality`` is Pillow's JPEG quality, 1..100; each caller keeps its own (a picture on a
    page, a thumbnail, a stored artwork).
    """
    rgb = validate_image(rgb, "rgb")
    quality = validate_int(quality, "quality", 1, 100)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
