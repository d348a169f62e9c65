"""Load test: simulated users on the real app, served by gunicorn exactly as the Procfile says.

Starts ``gunicorn dashboard.app:server --config gunicorn.conf.py`` on a free 127.0.0.1 port
(fresh cache folder), then starts ``--users`` simulated browsers, spread over the first 10 s,
for ``--duration`` seconds. Each behaves like Dash's renderer in a browser: it loads the page
(``/``, ``/_dash-layout``, ``/_dash-dependencies``, the page-routing callback, the initial
callbacks, the two pictures) over up to 6 keep-alive connections, then repeatedly moves the
mean or variance slider, switches artwork, switches tab, types a seed or reloads (a new
visitor), with a think time between actions. Every action posts, in parallel, the
``/_dash-update-component`` requests the renderer would (read from ``/_dash-dependencies``:
every server-side callback with a changed input, then those fed by their outputs) and fetches
the pictures whose URLs the page's clientside callback computes.

Reports requests/s and latency percentiles (p50/p95/p99) per kind of request and per user
action (``ui:action``: from the change until every update arrived), errors, the resident
memory (VmRSS from /proc) of the gunicorn master and workers at start, peak and end, and the
CPU used by the server, by this script and by the whole machine (to see other load).

    python benchmarks/load_test.py                       # 25 users, 120 s
    python benchmarks/load_test.py --duration 20 --json benchmarks/results/load.json

Only ever talks to 127.0.0.1. Artworks come from ``DASHBOARD_ARTWORKS_DIR`` as for the app.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import runpy
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import requests.adapters
from urllib3.util.retry import Retry

# Run from a checkout (``python benchmarks/load_test.py``): the package and the test helpers
# that start gunicorn are importable from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dashboard.explorer.routes import image_url
from dashboard.explorer.state import ViewState
from tests.support.gunicorn import start_gunicorn
from tests.support.processes import REPO_ROOT, child_pids

REQUEST_TIMEOUT = 60.0
#: Callback chains deeper than this are not followed (the app's longest is 2).
MAX_CHAIN_ROUNDS = 4
#: Parallel connections a browser opens to one host over HTTP/1.1.
BROWSER_CONNECTIONS = 6
#: Users arrive evenly over this many seconds (at most a tenth of the run).
RAMP_SECONDS = 10.0
#: A request refused with 503 is sent again at most this many times (after its Retry-After).
MAX_BUSY_RETRIES = 20
#: The "drag" workload: a user switches artwork after this many slider moves.
MOVES_PER_ARTWORK = 8
#: Seconds between two samples of the server's resident memory.
MEMORY_SAMPLE_SECONDS = 5.0

# Component ids of the explorer page (dashboard/layout/ids.py), the controls users touch.
ARTWORK_SELECT = "artwork-select"
MEAN_SLIDER = "mean-slider"
VARIANCE_SLIDER = "variance-slider"
SEED_INPUT = "seed-input"
VIEW_TABS = "view-tabs"
SELECTION_STORE = "selection-store"
PAGES_LOCATION = "_pages_location"
IMAGE_OUTPUTS = {("original-image", "src"), ("noisy-image", "src")}



# ------------------------------------------------------------------------------ the server


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` in KiB (VmRSS), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far, seconds (0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / ticks, sum(values) / ticks


def memory_snapshot(master: int) -> dict[str, Any]:
    workers = {pid: rss_kib(pid) for pid in child_pids(master)}
    master_kib = rss_kib(master)
    return {
        "master_mib": round(master_kib / 1024, 1),
        "workers_mib": {str(pid): round(kib / 1024, 1) for pid, kib in workers.items()},
        "workers_cpu_s": {str(pid): round(cpu_seconds(pid), 1) for pid in workers},
        "total_mib": round((master_kib + sum(workers.values())) / 1024, 1),
    }


# ------------------------------------------------------------------------- the fake browser


def _retry_after(response: requests.Response) -> float:
    text = response.headers.get("Retry-After", "").strip()
    return float(min(int(text), 30)) if text.isdigit() else 2.0


@dataclass
class Sample:
    kind: str
    status: int  # 0 for a connection error or timeout
    seconds: float
    finished: float  # time.monotonic()


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # 503s, sent again like the page does
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def failed(self, kind: str, path: str, error: Exception) -> None:
        with self.lock:
            self.failures[f"{kind} {path.split('?')[0]}: {type(error).__name__}"] += 1


def parse_outputs(output: str) -> list[tuple[str, str]]:
    """``"..a.b...c.d.."`` or ``"a.b"`` -> [("a", "b"), ("c", "d")]."""
    if output.startswith("..") and output.endswith(".."):
        parts = output[2:-2].split("...")
    else:
        parts = [output]
    return [tuple(part.rsplit(".", 1)) for part in parts]  # type: ignore[misc]


@dataclass
class CallbackSpec:
    output: str
    outputs: list[tuple[str, str]]
    inputs: list[tuple[str, str]]
    state: list[tuple[str, str]]
    prevent_initial_call: bool

    @classmethod
    def from_dependency(cls, dep: dict[str, Any]) -> CallbackSpec:
        return cls(
            dep["output"],
            parse_outputs(dep["output"]),
            [(i["id"], i["property"]) for i in dep["inputs"]],
            [(s["id"], s["property"]) for s in dep["state"]],
            bool(dep.get("prevent_initial_call")),
        )

    def ids(self) -> set[str]:
        return {cid for cid, _ in (*self.outputs, *self.inputs, *self.state)}

    def body(self, props: dict[tuple[str, str], Any], changed: list[str]) -> dict[str, Any]:
        def item(cid: str, prop: str) -> dict[str, Any]:
            return {"id": cid, "property": prop, "value": props.get((cid, prop))}

        outputs = [{"id": cid, "property": prop} for cid, prop in self.outputs]
        return {
            "output": self.output,
            "outputs": outputs if len(outputs) > 1 or self.output.startswith("..") else outputs[0],
            "inputs": [item(*key) for key in self.inputs],
            "state": [item(*key) for key in self.state],
            "changedPropIds": changed,
        }


def walk_layout(node: Any, found: dict[tuple[str, str], Any], tabs: list[str]) -> None:
    """Collect every (id, prop) -> value of a layout tree, and the tab ids of dbc.Tab."""
    if isinstance(node, list):
        for child in node:
            walk_layout(child, found, tabs)
        return
    if not isinstance(node, dict) or "props" not in node:
        return
    props = node["props"]
    if node.get("type") == "Tab" and props.get("tab_id"):
        tabs.append(props["tab_id"])
    cid = props.get("id")
    if isinstance(cid, str):
        found[(cid, "__present__")] = True
        for prop, value in props.items():
            if prop not in {"id", "children"}:
                found[(cid, prop)] = value
    for prop, value in props.items():
        if isinstance(value, (dict, list)) and prop != "id":
            walk_layout(value, found, tabs)


def new_session() -> requests.Session:
    """A browser's HTTP/1.1 connection pool: up to 6 connections to one host.

    Like a browser, a request whose reused keep-alive connection was just closed by the
    server is sent once more (Dash callbacks are idempotent); such retries are counted.
    """
    session = requests.Session()
    retry = Retry(
        total=1, connect=1, read=1, status=0, other=0, allowed_methods=None, raise_on_status=False
    )
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=1, pool_maxsize=BROWSER_CONNECTIONS, max_retries=retry
    )
    session.mount("http://", adapter)
    return session


class RetryCounter(logging.Handler):
    """Counts urllib3's "Retrying ... after connection broken" messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Retrying"):
            self.count += 1


class User:
    """One simulated visitor: its own connections, page state and parallel requests."""

    def __init__(
        self,
        base_url: str,
        callbacks: list[CallbackSpec],
        recorder: Recorder,
        rng: random.Random,
        think: tuple[float, float],
        image_inputs: set[tuple[str, str]],
    ) -> None:
        self.base_url = base_url
        self.callbacks = callbacks
        self.image_inputs = image_inputs
        self.recorder = recorder
        self.rng = rng
        self.think = think
        self.session = new_session()
        self.pool = ThreadPoolExecutor(max_workers=BROWSER_CONNECTIONS)
        self.props: dict[tuple[str, str], Any] = {}
        self.tabs: list[str] = []
        self.shown_images: set[str] = set()
        self.requests_made = 0
        self._count_lock = threading.Lock()

    # -- HTTP, timed
    def _request(
        self, kind: str, method: str, path: str, **kwargs: Any
    ) -> requests.Response | None:
        return self._request_retrying(kind, method, path, **kwargs)

    def _timed_request(
        self, kind: str, method: str, path: str, **kwargs: Any
    ) -> requests.Response | None:
        with self._count_lock:
            self.requests_made += 1
        started = time.monotonic()
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=REQUEST_TIMEOUT, **kwargs
            )
            response.content  # noqa: B018 - read the whole body inside the timing
        except requests.RequestException as error:
            self.recorder.failed(kind, path, error)
            now = time.monotonic()
            self.recorder.add(Sample(kind, 0, now - started, now))
            return None
        now = time.monotonic()
        self.recorder.add(Sample(kind, response.status_code, now - started, now))
        return response

    # -- Dash renderer behaviour
    def present(self, cid: str) -> bool:
        return (cid, "__present__") in self.props

    def load_page(self) -> None:
        """What a new visitor's browser does on opening ``/``: shell, layout, dependencies,
        the page callback, the initial callbacks and their images."""
        started = time.monotonic()
        self.session.close()
        self.session = new_session()
        self._load_page()
        self._record_ui("ui:page_load", started)

    def _record_ui(self, kind: str, started: float) -> None:
        now = time.monotonic()
        self.recorder.add(Sample(kind, 200, now - started, now))

    def _load_page(self) -> None:
        self._request("page", "GET", "/")
        layout = self._request("page", "GET", "/_dash-layout")
        self._request("page", "GET", "/_dash-dependencies")
        self.props, self.tabs, self.shown_images = {}, [], set()
        if layout is not None and layout.status_code == 200:
            walk_layout(layout.json(), self.props, self.tabs)
        self.props.update(
            {
                (PAGES_LOCATION, "pathname"): "/",
                (PAGES_LOCATION, "search"): "",
                (PAGES_LOCATION, "__present__"): True,
            }
        )
        routing = [cb for cb in self.callbacks if (PAGES_LOCATION, "pathname") in cb.inputs]
        changed: set[tuple[str, str]] = set()
        for cb in routing:
            changed |= self.apply(self.post(cb, [f"{PAGES_LOCATION}.pathname"]))
        initial = [
            cb
            for cb in self.callbacks
            if cb not in routing
            and not cb.prevent_initial_call
            and all(self.present(cid) for cid in cb.ids())
        ]
        initial += [cb for cb in self.triggered_by(changed) if cb not in initial]
        # On a fresh page every clientside callback runs too: the pictures load.
        self.run_callbacks(initial, changed | self.image_inputs)

    def triggered_by(self, changed: set[tuple[str, str]]) -> list[CallbackSpec]:
        return [
            cb
            for cb in self.callbacks
            if changed.intersection(cb.inputs) and all(self.present(c) for c in cb.ids())
        ]

    def run_callbacks(self, pending: list[CallbackSpec], changed: set[tuple[str, str]]) -> None:
        """Post ``pending`` in dependency order, then whatever their outputs trigger; load the
        pictures whenever an input of the clientside picture-URL callback changed."""
        for _ in range(MAX_CHAIN_ROUNDS):
            images = self.new_image_paths() if changed & self.image_inputs else []
            if not pending and not images:
                return
            produced = {out for cb in pending for out in cb.outputs}
            # A callback fed by another pending one waits for it, as in the renderer.
            ready = [cb for cb in pending if not produced.intersection(cb.inputs)] or pending
            deferred = [cb for cb in pending if cb not in ready]
            changed_ids = [f"{cid}.{prop}" for cid, prop in changed]
            # The renderer sends independent callbacks and the <img> requests at once,
            # over up to 6 connections.
            bodies = [cb.body(self.props, changed_ids) for cb in ready]
            image_futures = [
                self.pool.submit(self._request, "image", "GET", path) for path in images
            ]
            payloads = list(self.pool.map(self._post_body, bodies))
            for future in image_futures:
                future.result()
            changed = set()
            for payload in payloads:
                changed |= self.apply(payload)
            self.fetch_images(changed)
            pending = deferred + [cb for cb in self.triggered_by(changed) if cb not in deferred]

    def new_image_paths(self) -> list[str]:
        """The picture URLs that changed: an <img> whose src stays the same is not reloaded."""
        paths = self.image_paths()
        fresh = [path for path in paths if path not in self.shown_images]
        self.shown_images = set(paths)
        return fresh

    def image_paths(self) -> list[str]:
        """What assets/30-explorer.js ``imageUrls`` computes (via its Python mirror)."""
        source = self.props.get((ARTWORK_SELECT, "value"))
        if not source:
            return []

        # What assets/30-explorer.js computes, through the server's own definitions.
        state = ViewState.from_controls(
            source, self.props.get((MEAN_SLIDER, "value")),
            self.props.get((VARIANCE_SLIDER, "value")), self.props.get((SEED_INPUT, "value")),
            selection=self.props.get((SELECTION_STORE, "data")))
        return [image_url(picture, state) for picture in ("original", "noisy")]

    def post(self, cb: CallbackSpec, changed_ids: list[str]) -> dict[str, Any] | None:
        return self._post_body(cb.body(self.props, changed_ids))

    def _post_body(self, body: dict[str, Any]) -> dict[str, Any] | None:
        response = self._request("callback", "POST", "/_dash-update-component", json=body)
        if response is None or response.status_code != 200:
            return None  # 204 = every output no_update
        return response.json()

    def _request_retrying(self, kind: str, method: str, path: str,
                          **kwargs: Any) -> requests.Response | None:
        """As the page does (assets/15-busy.js): a 503 is sent again after its Retry-After."""
        for _ in range(MAX_BUSY_RETRIES):
            response = self._timed_request(kind, method, path, **kwargs)
            if response is None or response.status_code != 503:
                return response
            with self.recorder.lock:
                self.recorder.refused[kind] += 1
            time.sleep(_retry_after(response))
        return response

    def apply(self, payload: dict[str, Any] | None) -> set[tuple[str, str]]:
        """Store a callback's outputs as the browser would; return the props that changed."""
        changed: set[tuple[str, str]] = set()
        for cid, values in (payload or {}).get("response", {}).items():
            for prop, value in values.items():
                if isinstance(value, dict) and "__dash_patch_update" in value:
                    continue  # a Patch: the browser applies it to the figure it holds
                self.props[(cid, prop)] = value
                changed.add((cid, prop))
                if prop == "children":  # new components appear (a page, a panel)
                    walk_layout(value, self.props, self.tabs)
        return changed

    def fetch_images(self, changed: set[tuple[str, str]]) -> None:
        urls = [
            self.props[key]
            for key in sorted(changed)
            if key[1] == "src"
            and isinstance(self.props.get(key), str)
            and self.props[key].startswith("/")
        ]
        list(self.pool.map(lambda url: self._request("image", "GET", url), urls))

    def change(self, cid: str, prop: str, value: Any, kind: str = "ui:action") -> None:
        """Set a control as a person would; time until every update has arrived."""
        started = time.monotonic()
        self.props[(cid, prop)] = value
        self.run_callbacks(self.triggered_by({(cid, prop)}), {(cid, prop)})
        self._record_ui(kind, started)

    # -- what a person does
    def move_slider(self, kind: str = "ui:action") -> None:
        cid = self.rng.choice([MEAN_SLIDER, VARIANCE_SLIDER])
        low, high = self.props[(cid, "min")], self.props[(cid, "max")]
        step = self.props.get((cid, "step")) or 0.01
        value = low + step * self.rng.randrange(int(round((high - low) / step)) + 1)
        self.change(cid, "value", round(value, 6), kind)

    def switch_artwork(self, kind: str = "ui:action") -> None:
        options = [
            o["value"]
            for o in self.props.get((ARTWORK_SELECT, "options")) or []
            if isinstance(o, dict) and not o.get("disabled")
        ]
        if options:
            self.change(ARTWORK_SELECT, "value", self.rng.choice(options), kind)

    def switch_tab(self) -> None:
        if self.tabs:
            self.change(VIEW_TABS, "active_tab", self.rng.choice(self.tabs))

    def type_seed(self) -> None:
        self.change(SEED_INPUT, "value", self.rng.randrange(1000))

    def run(self, start_at: float, deadline: float, max_requests: int,
            workload: str = "mixed") -> None:
        time.sleep(max(0.0, start_at - time.monotonic()))  # arrivals spread over the ramp
        try:
            if workload == "drag":
                self._drag(deadline, max_requests)
            else:
                self._run(deadline, max_requests)
        finally:
            self.pool.shutdown(wait=True)
            self.session.close()

    def _drag(self, deadline: float, max_requests: int) -> None:
        """One person dragging sliders on the explorer's first tab: a move every think time,
        another artwork after every :data:`MOVES_PER_ARTWORK` moves."""
        self.load_page()
        moves = 0
        while time.monotonic() < deadline and self.requests_made < max_requests:
            if not self.present(MEAN_SLIDER):
                self.load_page()
            elif moves and moves % MOVES_PER_ARTWORK == 0:
                self.switch_artwork("ui:artwork")
                moves += 1
            else:
                self.move_slider("ui:move")
                moves += 1
            pause = self.rng.uniform(*self.think)
            time.sleep(max(0.0, min(pause, deadline - time.monotonic())))

    def _run(self, deadline: float, max_requests: int) -> None:
        self.load_page()
        actions = [
            (self.move_slider, 0.45),
            (self.switch_artwork, 0.2),
            (self.switch_tab, 0.15),
            (self.type_seed, 0.1),
            (self.load_page, 0.1),
        ]
        while time.monotonic() < deadline and self.requests_made < max_requests:
            if not self.present(MEAN_SLIDER):
                self.load_page()
            else:
                action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
                action()
            pause = self.rng.uniform(*self.think)
            time.sleep(max(0.0, min(pause, deadline - time.monotonic())))


# -------------------------------------------------------------------------------- reporting


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(samples: list[Sample], seconds: float) -> dict[str, Any]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
        if not sample.kind.startswith("ui:"):  # user-level timings are not requests
            by_kind["all"].append(sample)
    report = {}
    for kind, group in sorted(by_kind.items()):
        latencies = sorted(s.seconds * 1000 for s in group)
        errors = Counter(s.status for s in group if s.status == 0 or s.status >= 400)
        report[kind] = {
            "requests": len(group),
            "requests_per_s": round(len(group) / seconds, 1),
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "max_ms": round(latencies[-1], 1) if latencies else None,
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "errors": sum(errors.values()),
            "errors_by_status": {str(k): v for k, v in sorted(errors.items())},
        }
    return report


def run_load(
    base_url: str,
    master_pid: int,
    users: int,
    duration: float,
    think: tuple[float, float],
    seed: int,
    max_requests: int,
    workload: str = "mixed",
) -> dict[str, Any]:
    load_before = [round(x, 2) for x in os.getloadavg()]
    deps = requests.get(base_url + "/_dash-dependencies", timeout=REQUEST_TIMEOUT).json()
    callbacks = [
        CallbackSpec.from_dependency(dep)
        for dep in deps
        if not dep.get("clientside_function") and "{" not in dep["output"]
    ]
    # The picture URLs are computed in the browser by a clientside callback; its inputs
    # are what makes a browser request new pictures.
    image_inputs = {
        key
        for dep in deps
        if dep.get("clientside_function") and set(parse_outputs(dep["output"])) & IMAGE_OUTPUTS
        for key in CallbackSpec.from_dependency(dep).inputs
    }
    recorder = Recorder()
    retries = RetryCounter()
    urllib3_log = logging.getLogger("urllib3.connectionpool")
    urllib3_log.addHandler(retries)
    urllib3_log.propagate = False
    memory: dict[str, Any] = {"start": memory_snapshot(master_pid)}
    peak = {"total_mib": memory["start"]["total_mib"]}
    worker_pids: set[int] = set(child_pids(master_pid))
    stop = threading.Event()
    timeline: list[tuple[float, float]] = []  # (seconds since the start, total MiB)

    def monitor() -> None:
        next_sample = 0.0
        while not stop.wait(1.0):
            snapshot = memory_snapshot(master_pid)
            worker_pids.update(int(pid) for pid in snapshot["workers_mib"])
            for pid, seconds in snapshot["workers_cpu_s"].items():
                worker_cpu[int(pid)] = seconds  # kept after a worker is replaced
            if snapshot["total_mib"] > peak["total_mib"]:
                peak.update(snapshot)
            now = time.monotonic() - started
            if now >= next_sample:
                timeline.append((round(now), snapshot["total_mib"]))
                next_sample += MEMORY_SAMPLE_SECONDS

    started = time.monotonic()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    machine_before = machine_cpu_seconds()
    server_before = sum(cpu_seconds(pid) for pid in child_pids(master_pid))
    worker_cpu: dict[int, float] = {}  # last CPU seconds seen per worker pid
    deadline = started + duration
    ramp = min(RAMP_SECONDS, duration / 10)
    threads = [
        threading.Thread(
            target=User(
                base_url, callbacks, recorder, random.Random(seed + i), think, image_inputs
            ).run,
            args=(started + ramp * i / users, deadline, max_requests, workload),
            name=f"user-{i}",
        )
        for i in range(users)
    ]
    watcher = threading.Thread(target=monitor, name="memory")
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + REQUEST_TIMEOUT * 4)
    elapsed = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = cpu_after.ru_utime - cpu_before.ru_utime + cpu_after.ru_stime - cpu_before.ru_stime
    machine_after = machine_cpu_seconds()
    worker_cpu.update({pid: cpu_seconds(pid) for pid in child_pids(master_pid)})
    # A worker replaced during the run (max_requests) counts with its last sample.
    server_cpu = sum(worker_cpu.values()) - server_before
    stop.set()
    watcher.join(timeout=10)
    memory["end"] = memory_snapshot(master_pid)
    memory["peak"] = peak
    memory["timeline"] = timeline
    with recorder.lock:
        samples = list(recorder.samples)
    return {
        "users": users,
        "duration_s": round(elapsed, 1),
        "think_s": list(think),
        "seed": seed,
        "latency": summarise(samples, elapsed),
        "memory": memory,
        "worker_pids_seen": len(worker_pids),
        # The simulated browsers share the machine's cores with the server.
        "client_cpu_cores": round(client_cpu / elapsed, 2),
        # Busy cores of the whole machine, to see what else was running.
        "machine_busy_cores": round((machine_after[0] - machine_before[0]) / elapsed, 2),
        "machine_cores": round((machine_after[1] - machine_before[1]) / elapsed, 2),
        "server_workers_cpu_cores": round(server_cpu / elapsed, 2),
        # Server CPU per user action: what a move costs, whatever else the machine runs.
        "server_cpu_ms_per_action": round(
            1000 * server_cpu / max(1, sum(s.kind.startswith("ui:") for s in samples)), 1),
        "failures": dict(recorder.failures),
        "refused_and_sent_again": dict(recorder.refused),
        "workload": workload,
        "load_average_before": load_before,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "retried_on_closed_keepalive": retries.count,
        "health_after": requests.get(base_url + "/healthz", timeout=10).json(),
    }


def print_report(result: dict[str, Any]) -> None:
    print(
        f"\n{result['workload']} workload, {result['users']} users for {result['duration_s']} s "
        f"(think {result['think_s'][0]}-{result['think_s'][1]} s, seed {result['seed']}); "
        f"{result['workers']} workers x {result['threads']} threads"
    )
    header = (
        f"{'kind':<14}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'errors':>8}"
    )
    print(header)
    for kind, row in result["latency"].items():
        print(
            f"{kind:<14}{row['requests']:>9}{row['requests_per_s']:>8}{row['p50_ms']:>9}"
            f"{row['p95_ms']:>9}{row['p99_ms']:>9}{row['max_ms']:>9}{row['errors']:>8}"
            + (f"  {row['errors_by_status']}" if row["errors"] else "")
        )
    memory = result["memory"]
    print(
        f"RSS MiB (master + workers): start {memory['start']['total_mib']}, "
        f"peak {memory['peak']['total_mib']}, end {memory['end']['total_mib']}; "
        f"per worker at end {memory['end']['workers_mib']} "
        f"(CPU s {memory['end']['workers_cpu_s']}); "
        f"worker processes seen: {result['worker_pids_seen']}"
    )
    print(f"cache after: {result['health_after'].get('cache')}")
    print(
        f"CPU cores used on average: server workers {result['server_workers_cpu_cores']}, "
        f"load generator {result['client_cpu_cores']}, whole machine "
        f"{result['machine_busy_cores']} of {result['machine_cores']}; server CPU per user "
        f"action {result['server_cpu_ms_per_action']} ms"
    )
    print("RSS MiB over time (s: MiB): " + ", ".join(
        f"{t}: {mib:.0f}" for t, mib in memory["timeline"]))
    if result["failures"]:
        print(f"failed requests: {result['failures']}")
    print(f"refused with 503 and sent again: {result['refused_and_sent_again'] or 'none'}; "
          f"load average (1, 5, 15 min) before {result['load_average_before']}, "
          f"at the end {result['load_average']}")
    print(
        f"requests re-sent after the server closed an idle keep-alive connection: "
        f"{result['retried_on_closed_keepalive']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY for gunicorn")
    parser.add_argument("--think-min", type=float, default=0.25, help="seconds between actions")
    parser.add_argument("--think-max", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-requests-per-user", type=int, default=20_000)
    parser.add_argument("--redis-url", help="run the app with this REDIS_URL")
    parser.add_argument("--workload", choices=("mixed", "drag"), default="mixed",
                        help="mixed: every kind of action; drag: slider moves, another "
                        f"artwork every {MOVES_PER_ARTWORK} moves (use --think-min 0.2 "
                        "--think-max 0.5)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.users < 1 or args.duration <= 0 or not 0 <= args.think_min <= args.think_max:
        parser.error("need --users >= 1, --duration > 0 and 0 <= --think-min <= --think-max")
    extra_env = {"REDIS_URL": args.redis_url} if args.redis_url else {}
    with tempfile.TemporaryDirectory(prefix="load-test-") as tmp:
        # The artworks and settings of this shell, as a deployed app would see them.
        server = start_gunicorn(
            Path(tmp), env=extra_env, workers=args.workers, inherit_app_environment=True
        )
        try:
            result = run_load(
                server.base_url,
                server.process.pid,
                args.users,
                args.duration,
                (args.think_min, args.think_max),
                args.seed,
                args.max_requests_per_user,
                args.workload,
            )
        finally:
            server.stop()
            log = server.log_path.read_text(errors="replace")
        result.update(
            {
                "workers": args.workers,
                "threads": _configured_threads(),
                "server_errors_logged": log.count("[ERROR]"),
                "worker_timeouts": log.count("WORKER TIMEOUT"),
            }
        )
    print_report(result)
    print(
        f"server log: {result['server_errors_logged']} ERROR lines, "
        f"{result['worker_timeouts']} worker timeouts"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


def _configured_threads() -> int:
    """``threads`` as gunicorn.conf.py sets it for this environment."""
    return int(runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))["threads"])


if __name__ == "__main__":
    sys.exit(main())
