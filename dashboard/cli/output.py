"""What the commands that write JSON share: output-path checks, strict-JSON values, exit codes."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

#: Exit status of a command given bad input (argparse's own for bad usage).
EXIT_BAD_INPUT = 2


class InputError(ValueError):
    """Bad input to a command; the message is one line saying what is accepted."""


def fail(message: str) -> int:
    """Print ``error: message`` on stderr and return :data:`EXIT_BAD_INPUT`."""
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def check_output_path(path: str | None) -> None:
    """Fail before the work if an output file could not be created (``-`` is stdout)."""
    if path is None or path == "-":
        return
    folder = Path(path).parent
    if not folder.is_dir():
        raise InputError(
            f"cannot write {path} (folder {folder} does not exist); choose a writable path"
        )
    if Path(path).is_dir():
        raise InputError(f"cannot write {path} (it is a folder); choose a file path")


def check_distinct_outputs(outputs: dict[str, str | None]) -> None:
    """Fail before the work if two outputs (``{option: path}``) name one file: the later
    would overwrite the earlier. Unset outputs and ``-`` (stdout) are left out."""
    seen: dict[Path, str] = {}
    for option, path in outputs.items():
        if path is None or path == "-":
            continue
        resolved = Path(path).resolve()
        if resolved in seen:
            raise InputError(f"{seen[resolved]} and {option} name the same file ({path}); "
                             "give each output its own path")
        seen[resolved] = option


def json_ready(value: Any) -> Any:
    """Plain Python values with NaN and infinities as ``None`` (strict JSON has neither)."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def floats(values: np.ndarray) -> list:
    """``values`` as a list of Python floats."""
    return np.asarray(values, dtype=np.float64).tolist()


def size(height: int, width: int) -> dict[str, int]:
    """An image size for JSON."""
    return {"height": int(height), "width": int(width)}
