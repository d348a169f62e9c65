"""``python -m dashboard data status | import DIR | download | index | snapshot``: the artworks.

- ``status``: which catalogued images are present, missing or corrupt, and which
  files the catalogue does not know.
- ``import DIR``: validate, normalise (RGB, long side <= 1024, JPEG quality 90) and
  copy images from a folder, matched to the catalogue by SHA-256 or file name.
- ``download``: fetch the catalogued paintings from Wikimedia Commons (resumable).
- ``index``: compute the colour statistics of every artwork (see ``corpus_index``) on a Dask
  LocalCluster (default), an existing cluster (``--scheduler``) or in process (``--serial``).
- ``snapshot``: write the paintings' statistics to ``data/colour_statistics.npz`` (shipped,
  so the artist page works without the images); ``--check`` compares it with the images.

Files written by ``import`` and ``download`` are recorded with their SHA-256 in
``artworks_dir/.manifest.json``, so ``status`` can tell a normalised copy (whose bytes
differ from the catalogue's reference file) from a damaged one.

Exit codes: 0 done, 1 done but some files failed (listed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import HTTPError, URLError

from tqdm import tqdm

from dashboard import __version__
from dashboard.cli.parsing import (
    OneLineParser,
    UsageError,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)
from dashboard.config import Settings, SettingsError, load_settings
from dashboard.core.images import ImageError, decode_image, sha256_hex
from dashboard.data.corpus import (
    IMAGE_SUFFIXES,
    Artwork,
    CatalogueError,
    Corpus,
    UnknownArtworkError,
    is_writable_dir,
    sample_artworks,
)
from dashboard.data.files import encode_jpeg, write_atomically

PROG = "python -m dashboard data"
COMMONS_FILE_PATH_URL = "https://commons.wikimedia.org/wiki/Special:FilePath/"
DOWNLOAD_WIDTH = 1024
USER_AGENT = (
    f"vangogh-noise-dashboard/{__version__} (colour-distribution teaching dashboard; python urllib)"
)
#: Long side, pixels, and JPEG quality of the files written to the artworks folder.
STORED_MAX_SIDE = 1024
STORED_JPEG_QUALITY = 90
#: Largest file accepted by ``import`` and ``download``, bytes (scans can be big).
SOURCE_MAX_BYTES = 200 * 1024 * 1024
#: Accepted relative difference between an image's aspect ratio and the catalogue's.
DEFAULT_ASPECT_TOLERANCE = 0.05
MANIFEST_NAME = ".manifest.json"
_RETRY_HTTP_CODES = frozenset({408, 425, 429, 500, 502, 503, 504})


_Parser = OneLineParser


# --- the manifest of files written by import and download ---------------------------------


@dataclass
class Manifest:
    """``file name -> {"sha256", "origin", "source", "written"}`` for files we wrote."""

    path: Path
    files: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, artworks_dir: Path) -> Manifest:
        path = Path(artworks_dir) / MANIFEST_NAME
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            files = stored.get("files", {}) if isinstance(stored, dict) else {}
        except (OSError, ValueError):
            files = {}
        clean = {
            str(name): dict(entry)
            for name, entry in files.items()
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
        }
        return cls(path=path, files=clean)

    def recorded_sha256(self, file: str) -> str | None:
        entry = self.files.get(file)
        return entry["sha256"] if entry else None

    def record(self, file: str, data: bytes, origin: str, source: str) -> None:
        self.files[file] = {
            "sha256": sha256_hex(data),
            "origin": origin,
            "source": source,
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        text = json.dumps({"version": 1, "files": self.files}, indent=1, sort_keys=True)
        write_atomically(self.path, text.encode("utf-8"))


# --- checks shared by the commands ----------------------------------------------------------


@dataclass(frozen=True)
class FileState:
    """``state`` is ``"present"``, ``"missing"`` or ``"corrupt"``; ``detail`` says why."""

    artwork: Artwork
    state: str
    detail: str = ""
    sha256: str = ""


def check_file(corpus: Corpus, manifest: Manifest, artwork: Artwork) -> FileState:
    """Whether the stored image of ``artwork`` is present, missing or corrupt.

    Present: it decodes, and its SHA-256 is the catalogue's (the reference file) or the
    one recorded when ``import``/``download`` wrote it. Anything else is corrupt.
    """
    path = corpus.path(artwork.id)
    if not path.is_file():
        return FileState(artwork, "missing")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileState(artwork, "corrupt", f"cannot be read ({exc.strerror or exc})")
    digest = sha256_hex(data)
    try:
        decode_image(data, max_side=64, max_bytes=SOURCE_MAX_BYTES, max_pixels=corpus.max_pixels)
    except ImageError as exc:
        return FileState(artwork, "corrupt", str(exc), digest)
    if digest == artwork.sha256:
        return FileState(artwork, "present", "reference file", digest)
    recorded = manifest.recorded_sha256(artwork.file)
    if digest == recorded:
        origin = manifest.files[artwork.file].get("origin", "copy")
        return FileState(artwork, "present", f"normalised copy ({origin})", digest)
    reason = "its SHA-256 matches neither the catalogue nor the file import/download wrote"
    return FileState(artwork, "corrupt", reason, digest)


def aspect_problem(width: int, height: int, artwork: Artwork, tolerance: float) -> str | None:
    """Why a ``width`` x ``height`` image cannot be ``artwork``, if its shape is too different."""
    if not artwork.width or not artwork.height:
        return None
    ratio = (width / height) / (artwork.width / artwork.height)
    if abs(math.log(ratio)) <= math.log1p(tolerance):
        return None
    return (
        f"aspect ratio {width}:{height} ({width / height:.3f}) differs from the catalogue's "
        f"{artwork.width}:{artwork.height} ({artwork.width / artwork.height:.3f}) "
        f"by more than {tolerance:.0%}"
    )


def _require_writable(folder: Path) -> None:
    if not folder.exists():
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise UsageError(
                f"cannot create the artworks folder {folder}: {exc.strerror}"
            ) from None
    if not folder.is_dir():
        raise UsageError(f"the artworks folder {folder} is not a folder")
    if not is_writable_dir(folder):
        raise UsageError(
            f"the artworks folder {folder} is read-only; set DASHBOARD_ARTWORKS_DIR "
            "or pass --artworks-dir to a writable folder"
        )


def _print_list(title: str, lines: Sequence[str], limit: int = 50) -> None:
    if not lines:
        return
    print(f"{title}:")
    for line in lines[:limit]:
        print(f"  {line}")
    if len(lines) > limit:
        print(f"  ... and {len(lines) - limit} more")


# --- status ----------------------------------------------------------------------------------


def cmd_status(corpus: Corpus, args: argparse.Namespace) -> int:
    manifest = Manifest.load(corpus.artworks_dir)
    states = [check_file(corpus, manifest, artwork) for artwork in corpus.catalogue]
    present = [s for s in states if s.state == "present"]
    missing = [s for s in states if s.state == "missing"]
    corrupt = [s for s in states if s.state == "corrupt"]
    unknown = corpus.unknown_files()
    print(f"artworks folder: {corpus.artworks_dir}")
    print(f"catalogue: {corpus.catalogue_path} ({len(states)} paintings)")
    copies = sum(1 for s in present if s.detail != "reference file")
    print(
        f"present: {len(present)} ({copies} normalised copies), missing: {len(missing)}, "
        f"corrupt: {len(corrupt)}, unknown files: {len(unknown)}"
    )
    _print_list("corrupt", [f"{s.artwork.file}: {s.detail}" for s in corrupt])
    if args.verbose:
        _print_list("missing", [s.artwork.file for s in missing], limit=len(missing))
    elif missing:
        print(
            f"missing: {', '.join(s.artwork.id for s in missing[:5])}"
            + (f" ... (+{len(missing) - 5}, see --verbose)" if len(missing) > 5 else "")
        )
    _print_list("unknown files (not in the catalogue)", [p.name for p in unknown])
    samples = ", ".join(artwork.id for artwork in sample_artworks())
    print(f"bundled samples (always available, e.g. for `report --artwork`): {samples}")
    if not present:
        print(
            "no Van Gogh image is present: run `python -m dashboard data download`, "
            "`python -m dashboard data import DIR`, or set DASHBOARD_ARTWORKS_DIR"
        )
    return 1 if corrupt else 0


# --- import ----------------------------------------------------------------------------------


@dataclass
class _Outcome:
    imported: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _source_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix.lower() in IMAGE_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def cmd_import(corpus: Corpus, args: argparse.Namespace) -> int:
    source_dir = Path(args.dir).expanduser()
    if not source_dir.is_dir():
        raise UsageError(f"{PROG} import: {source_dir} is not a folder")
    target_dir = corpus.artworks_dir
    _require_writable(target_dir)
    if source_dir.resolve() == target_dir.resolve():
        raise UsageError(f"{PROG} import: {source_dir} is the artworks folder itself")
    manifest = Manifest.load(target_dir)
    by_sha = {a.sha256: a for a in corpus.catalogue if a.sha256}
    by_name: dict[str, Artwork] = {}
    for artwork in corpus.catalogue:
        by_name[artwork.id.casefold()] = artwork
        by_name[Path(artwork.file).stem.casefold()] = artwork
    outcome = _Outcome()
    done: dict[str, Path] = {}
    files = _source_files(source_dir)
    for path in tqdm(files, desc="importing", unit="file", disable=not args.progress):
        shown = str(path.relative_to(source_dir))
        try:
            data = path.read_bytes()
        except OSError as exc:
            outcome.skipped.append(f"{shown}: cannot be read ({exc.strerror or exc})")
            continue
        digest = sha256_hex(data)
        artwork = by_sha.get(digest) or by_name.get(path.stem.casefold())
        try:
            image = decode_image(
                data,
                max_side=STORED_MAX_SIDE,
                max_bytes=SOURCE_MAX_BYTES,
                max_pixels=corpus.max_pixels,
            )
        except ImageError as exc:
            outcome.skipped.append(f"{shown}: {exc}")
            continue
        if artwork is None:
            outcome.unknown.append(shown)
            continue
        if artwork.id in done:
            outcome.skipped.append(
                f"{shown}: {artwork.id} was already imported from {done[artwork.id]}"
            )
            continue
        exact = digest == artwork.sha256
        if not exact:
            height, width = image.original_size
            problem = aspect_problem(width, height, artwork, args.aspect_tolerance)
            if problem:
                outcome.skipped.append(f"{shown}: {problem}")
                continue
        if not args.force and check_file(corpus, manifest, artwork).state == "present":
            outcome.present.append(artwork.id)
            done[artwork.id] = path
            continue
        # The catalogue's own file is already normalised: keep its bytes (and SHA-256).
        stored = data if exact else encode_jpeg(image.pixels, quality=STORED_JPEG_QUALITY)
        write_atomically(target_dir / artwork.file, stored)
        manifest.record(artwork.file, stored, "import", str(path))
        outcome.imported.append(artwork.id)
        done[artwork.id] = path
    print(
        f"imported: {len(outcome.imported)}, already present: {len(outcome.present)}, "
        f"skipped: {len(outcome.skipped)}, unknown: {len(outcome.unknown)} "
        f"(from {len(files)} image files in {source_dir} to {target_dir})"
    )
    _print_list("skipped", outcome.skipped)
    _print_list("unknown (no catalogue entry with this SHA-256 or name)", outcome.unknown)
    return 1 if outcome.skipped else 0


# --- download --------------------------------------------------------------------------------


class _Transient(Exception):
    """Worth another try (timeout, broken connection, HTTP 429/5xx, short body)."""


class _Permanent(Exception):
    """Not worth another try (HTTP 404, not an image, wrong shape)."""


def commons_url(base_url: str, commons_file: str, width: int = DOWNLOAD_WIDTH) -> str:
    """``<base>/<percent-encoded name>?width=<width>`` (Special:FilePath redirects to the file)."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return f"{base}{urllib.parse.quote(commons_file, safe='')}?width={width}"


def _fetch(url: str, timeout: float, max_bytes: int) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
    # The socket timeout bounds each wait; the deadline bounds a server that trickles.
    limit = max(10 * timeout, 1.0)
    deadline = time.monotonic() + limit
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            expected = int(declared) if declared and declared.isdigit() else None
            if expected is not None and expected > max_bytes:
                raise _Permanent(f"the file is {expected} bytes, more than {max_bytes} accepted")
            chunks: list[bytes] = []
            received = 0
            while chunk := response.read(256 * 1024):
                chunks.append(chunk)
                received += len(chunk)
                if received > max_bytes:
                    raise _Permanent(f"the file is larger than the {max_bytes} bytes accepted")
                if time.monotonic() > deadline:
                    raise _Transient(f"the download took longer than {limit:g} s")
    except HTTPError as exc:
        if exc.code in _RETRY_HTTP_CODES:
            raise _Transient(f"HTTP {exc.code} {exc.reason}") from None
        raise _Permanent(f"HTTP {exc.code} {exc.reason}") from None
    except TimeoutError:
        raise _Transient(f"no answer within {timeout:g} s") from None
    except URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _Transient(f"no answer within {timeout:g} s") from None
        raise _Transient(f"cannot connect ({exc.reason})") from None
    except (http.client.HTTPException, ConnectionError) as exc:
        raise _Transient(f"the connection broke ({type(exc).__name__})") from None
    data = b"".join(chunks)
    if expected is not None and len(data) < expected:
        raise _Transient(f"truncated: received {len(data)} of {expected} bytes")
    return data


def _download_one(artwork: Artwork, args: argparse.Namespace, max_pixels: int) -> bytes:
    """The normalised JPEG bytes of ``artwork``, fetched with retries; raises _Permanent."""
    url = commons_url(args.base_url, artwork.commons_file)
    last: Exception | None = None
    for attempt in range(args.retries + 1):
        if attempt:
            time.sleep(args.backoff * 2 ** (attempt - 1))
        try:
            data = _fetch(url, args.timeout, SOURCE_MAX_BYTES)
        except _Transient as exc:
            last = exc
            continue
        try:
            image = decode_image(
                data, max_side=STORED_MAX_SIDE, max_bytes=SOURCE_MAX_BYTES, max_pixels=max_pixels
            )
        except ImageError as exc:
            raise _Permanent(f"the server did not send a usable image: {exc}") from None
        height, width = image.original_size
        problem = aspect_problem(width, height, artwork, args.aspect_tolerance)
        if problem:
            raise _Permanent(problem)
        return encode_jpeg(image.pixels, quality=STORED_JPEG_QUALITY)
    raise _Permanent(f"{last} (after {args.retries + 1} attempts)")


def cmd_download(corpus: Corpus, args: argparse.Namespace) -> int:
    wanted = tuple(corpus.get(i) for i in args.ids) if args.ids else corpus.catalogue
    target_dir = corpus.artworks_dir
    _require_writable(target_dir)
    manifest = Manifest.load(target_dir)
    without_name = [a.id for a in wanted if not a.commons_file]
    candidates = [a for a in wanted if a.commons_file]
    downloaded: list[str] = []
    present: list[str] = []
    failed: list[str] = []
    todo = []
    for artwork in candidates:
        if not args.force and check_file(corpus, manifest, artwork).state == "present":
            present.append(artwork.id)
        else:
            todo.append(artwork)
    for n, artwork in enumerate(
        tqdm(todo, desc="downloading", unit="image", disable=not args.progress)
    ):
        if n and args.delay:
            time.sleep(args.delay)  # be gentle with Wikimedia's servers
        try:
            stored = _download_one(artwork, args, corpus.max_pixels)
        except _Permanent as exc:
            failed.append(f"{artwork.id}: {exc}")
            continue
        write_atomically(target_dir / artwork.file, stored)
        manifest.record(
            artwork.file, stored, "download", commons_url(args.base_url, artwork.commons_file)
        )
        downloaded.append(artwork.id)
    print(
        f"downloaded: {len(downloaded)}, already present: {len(present)}, "
        f"failed: {len(failed)}, no Commons file name: {len(without_name)} "
        f"(into {target_dir})"
    )
    _print_list("failed", failed)
    if without_name:
        print(
            "not on Commons under a known name (add them with `data import DIR`): "
            + ", ".join(without_name)
        )
    return 1 if failed else 0


# --- index -----------------------------------------------------------------------------------


def engine_from_args(args: argparse.Namespace):
    """The engine ``--serial``, ``--workers`` and ``--scheduler`` ask for (a LocalCluster
    with one worker process per core by default)."""
    from dashboard.data.index_engine import Engine

    if args.scheduler and (args.serial or args.workers):
        raise UsageError("--scheduler runs on that cluster's workers: drop --serial/--workers")
    if args.serial and args.workers:
        raise UsageError("--serial computes in this process: drop --workers")
    address = (args.scheduler or "").strip()
    if args.scheduler is not None:
        if not address or len(address) > 300 or any(c.isspace() for c in address):
            shown = address[:60]
            raise UsageError(f"--scheduler {shown!r} is not a scheduler address "
                             "(e.g. tcp://127.0.0.1:8786)")
        return Engine("scheduler", address=address)
    if args.serial:
        return Engine("serial")
    return Engine("local", workers=args.workers)


def cmd_index(corpus: Corpus, args: argparse.Namespace, settings: Settings) -> int:
    from dashboard.data.corpus_index import build_index, default_index_root
    from dashboard.data.index_engine import EngineError

    try:
        _, report = build_index(
            corpus,
            default_index_root(settings),
            max_side=settings.max_side,
            max_pixels=settings.max_pixels,
            engine=engine_from_args(args),
            progress=args.progress,
            force=args.force,
            prune=args.prune,
            write_every=args.write_every,
        )
    except EngineError as exc:
        raise UsageError(str(exc)) from None
    print(report.summary())
    _print_list("skipped", [f"{artwork_id}: {reason}" for artwork_id, reason in report.skipped])
    return 1 if report.skipped else 0


# --- snapshot --------------------------------------------------------------------------------


def cmd_snapshot(corpus: Corpus, args: argparse.Namespace, settings: Settings) -> int:
    from dashboard.data.index_engine import EngineError
    from dashboard.data.snapshot import (
        SnapshotError,
        compare_rows,
        live_rows,
        read_snapshot_rows,
        snapshot_path,
        write_snapshot,
    )

    path = Path(args.output).expanduser() if args.output else snapshot_path(settings)
    if not corpus.has_artworks():
        raise UsageError("the snapshot is computed from the images, and none is present: "
                         "add them first (data download, data import DIR)")
    try:
        ids, rows, skipped = live_rows(corpus, settings, engine=engine_from_args(args),
                                       progress=args.progress)
    except EngineError as exc:
        raise UsageError(str(exc)) from None
    _print_list("skipped", [f"{artwork_id}: {reason}" for artwork_id, reason in skipped])
    if args.check:
        try:
            _, stored_ids, stored_rows = read_snapshot_rows(path)
        except SnapshotError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        problems = compare_rows(dict(zip(stored_ids, stored_rows, strict=True)),
                                dict(zip(ids, rows, strict=True)))
        if problems:
            print(f"the snapshot {path} differs from the images ({len(problems)} differences)")
            _print_list("differences", problems)
            return 1
        print(f"the snapshot {path} matches the {len(ids)} paintings' live index, bit for bit")
        return 0
    try:
        size = write_snapshot(path, ids, rows, max_side=settings.max_side)
    except (ValueError, OSError) as exc:
        raise UsageError(f"cannot write the snapshot: {exc}") from None
    print(f"snapshot of {len(ids)} paintings written to {path} ({size / 1e6:.2f} MB)")
    return 1 if skipped else 0


# --- collections -----------------------------------------------------------------------------


def cmd_collection(args: argparse.Namespace, settings: Settings) -> int:
    from dashboard.data import collections as cl
    from dashboard.data.index_engine import EngineError

    try:
        if args.action == "list":
            names = cl.list_collections(settings)
            if not names:
                print(f"no collection yet (add one with `{PROG} collection add NAME DIR`)")
            for name in names:
                try:
                    c = cl.load_collection(settings, name)
                except cl.CollectionError as exc:
                    print(f"{name}: {exc}")
                    continue
                groups = c.groups
                shown = ", ".join(groups[:6]) + (f" (+{len(groups) - 6})" if len(groups) > 6
                                                 else "")
                print(f"{name}: {len(c.images)} images, {len(c.skipped)} skipped, "
                      f"groups: {shown}; from {c.folder} (added {c.added})")
            return 0
        if args.action == "remove":
            removed = cl.remove_collection(settings, args.name)
            print(f"removed the collection {args.name!r} ({len(removed.images)} images; "
                  f"the files in {removed.folder} are untouched)")
            return 0
        report = cl.add_collection(
            settings, args.name, Path(args.dir),
            metadata=Path(args.metadata).expanduser() if args.metadata else None,
            engine=engine_from_args(args), progress=args.progress, replace=args.replace)
    except cl.CollectionError as exc:
        raise UsageError(f"{PROG} collection {args.action}: {exc}") from None
    except EngineError as exc:
        raise UsageError(str(exc)) from None
    c = report.collection
    print(f"collection {c.name!r}: {len(c.images)} images added, {len(c.skipped)} skipped "
          f"(from {report.files_seen} image files in {c.folder}; {len(c.groups)} groups; "
          f"{report.seconds:.1f} s)")
    _print_list("skipped", [f"{file}: {reason}" for file, reason in c.skipped])
    _print_list("metadata", report.problems)
    if report.unmatched_metadata:
        print(f"metadata: {report.unmatched_metadata} rows name no image file of the folder")
    return 1 if c.skipped else 0


# --- the command line ------------------------------------------------------------------------


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--serial``, ``--workers N``, ``--scheduler ADDRESS`` and ``--write-every N``."""
    parser.add_argument(
        "--workers", type=positive_int, default=None,
        help="worker processes of the Dask LocalCluster (default: one per core)",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", default=None,
        help="run on an existing Dask cluster (e.g. tcp://10.0.0.5:8786); its workers must "
        "see the images at the same paths",
    )
    parser.add_argument(
        "--serial", action="store_true", help="compute in this process, without Dask"
    )
    parser.add_argument(
        "--write-every", type=positive_int, default=32, metavar="N",
        help="rows written to the Parquet dataset at a time (an interrupted build keeps them)",
    )


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``data`` command, and its own commands, to ``commands`` of the one CLI tree."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--artworks-dir", help="folder of the artwork images (default: DASHBOARD_ARTWORKS_DIR)"
    )
    common.add_argument("--catalogue", help="catalogue CSV (default: data/catalogue.csv)")
    common.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bar"
    )
    # import and download check each image's shape against the catalogue.
    shape_check = _Parser(add_help=False)
    shape_check.add_argument(
        "--aspect-tolerance",
        type=positive_float,
        default=DEFAULT_ASPECT_TOLERANCE,
        help="accepted relative difference from the catalogue's aspect ratio",
    )
    parser = commands.add_parser(
        "data",
        help="the Van Gogh artworks: status, import, download, index, snapshot; collections",
        description="Manage the Van Gogh artworks (status, import, download, index, snapshot) "
        "and your own collections.",
    )
    parser.set_defaults(run=run)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    status = commands.add_parser(
        "status", parents=[common], help="present, missing, corrupt and unknown files"
    )
    status.add_argument("--verbose", "-v", action="store_true", help="list every missing file")

    importing = commands.add_parser(
        "import", parents=[common, shape_check],
        help="copy images from a folder into the artworks folder",
    )
    importing.add_argument("dir", help="folder with image files (searched recursively)")
    importing.add_argument("--force", action="store_true", help="replace files already present")

    download = commands.add_parser(
        "download", parents=[common, shape_check], help="fetch the paintings from Wikimedia Commons"
    )
    download.add_argument(
        "--base-url",
        default=COMMONS_FILE_PATH_URL,
        help="file URL prefix",
    )
    download.add_argument("--ids", nargs="+", metavar="ID", help="only these artwork ids")
    download.add_argument(
        "--timeout", type=positive_float, default=30.0, help="seconds per network wait"
    )
    download.add_argument(
        "--retries", type=non_negative_int, default=3, help="extra attempts per file"
    )
    download.add_argument(
        "--backoff",
        type=non_negative_float,
        default=2.0,
        help="seconds before the first retry, doubled each time",
    )
    download.add_argument(
        "--delay", type=non_negative_float, default=1.0, help="seconds between files"
    )
    download.add_argument("--force", action="store_true", help="download files already present")

    index = commands.add_parser(
        "index", parents=[common], help="compute the colour statistics of every artwork"
    )
    add_engine_arguments(index)
    index.add_argument("--force", action="store_true", help="recompute every row")
    index.add_argument("--prune", action="store_true", help="drop rows of removed files")

    collection = commands.add_parser(
        "collection", help="your own collections of images: add, list, remove",
        description="Register a folder of images (with optional metadata) as a collection "
        "the artist page can compare with Van Gogh.",
    )
    actions = collection.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    add = actions.add_parser("add", parents=[common], help="index a folder of images as NAME")
    add.add_argument("name", help="a slug: lowercase letters, digits, inner hyphens")
    add.add_argument("dir", help="folder of images (searched recursively)")
    add.add_argument("--metadata", metavar="CSV",
                     help="CSV with a 'file' column (path below DIR) and any of title, year, "
                     "artist, group")
    add.add_argument("--replace", action="store_true", help="replace a collection of that name")
    add_engine_arguments(add)
    actions.add_parser("list", parents=[common], help="the registered collections")
    remove = actions.add_parser("remove", parents=[common],
                                help="forget a collection (its images are left alone)")
    remove.add_argument("name")

    snapshot = commands.add_parser(
        "snapshot", parents=[common],
        help="write the paintings' colour statistics to data/colour_statistics.npz",
    )
    add_engine_arguments(snapshot)
    snapshot.add_argument(
        "--output", help="file to write (default: colour_statistics.npz beside the catalogue)"
    )
    snapshot.add_argument(
        "--check", action="store_true",
        help="write nothing: exit 1 unless the snapshot equals the live index bit for bit",
    )
    return parser


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run ``data COMMAND`` with parsed ``args``; returns the exit code (0, 1 or 2).

    ``settings`` default to the environment's; ``--artworks-dir`` and ``--catalogue``
    override them.
    """
    try:
        if settings is None:
            settings = load_settings(artworks_dir=args.artworks_dir, catalogue_path=args.catalogue)
        else:
            if args.artworks_dir:
                settings = replace(settings, artworks_dir=Path(args.artworks_dir).expanduser())
            if args.catalogue:
                settings = replace(settings, catalogue_path=Path(args.catalogue).expanduser())
        if args.command == "collection":
            return cmd_collection(args, settings)
        # The index also covers the bundled samples, as the app shows them too.
        corpus = Corpus.from_settings(settings, include_samples=args.command == "index")
        if args.command == "status":
            return cmd_status(corpus, args)
        if args.command == "import":
            return cmd_import(corpus, args)
        if args.command == "download":
            return cmd_download(corpus, args)
        if args.command == "snapshot":
            return cmd_snapshot(corpus, args, settings)
        return cmd_index(corpus, args, settings)
    except (UsageError, SettingsError, CatalogueError, UnknownArtworkError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
