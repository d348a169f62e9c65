"""Where the load test's server CPU goes: its users replayed in one process, under cProfile.

The simulated browsers of ``load_test.py`` (``--workload drag``: slider moves on the
explorer, another artwork every 8 moves) send their requests one after another through
Flask's test client to an app built in this process, ``--users`` of them interleaved so that
the per-process memory (images, noise, pictures) is shared as in a busy worker. Prints the
time per kind of request and user action, the CPU per action, and the profile's top entries.

    DASHBOARD_ARTWORKS_DIR=data/artworks python benchmarks/profile_load.py --users 12 --actions 120
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dashboard.config import limit_native_threads

limit_native_threads()  # as a gunicorn worker: one BLAS thread

from benchmarks import load_test  # noqa: E402
from dashboard.app import create_app, prepare_to_serve  # noqa: E402
from dashboard.config import load_settings  # noqa: E402


class _Reply:
    """The parts of a ``requests`` response the simulated browser reads."""

    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.data
        self._response = response

    def json(self) -> Any:
        return self._response.get_json()


class _InOrder:
    """An executor that runs each task at once, in this thread (so cProfile sees it)."""

    class _Done:
        def __init__(self, value: Any) -> None:
            self.value = value

        def result(self) -> Any:
            return self.value

    def submit(self, function, *args, **kwargs) -> _Done:
        return self._Done(function(*args, **kwargs))

    def map(self, function, items) -> list:
        return [function(item) for item in items]

    def shutdown(self, wait: bool = True) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=12, help="interleaved users")
    parser.add_argument("--actions", type=int, default=120, help="user actions profiled")
    parser.add_argument("--top", type=int, default=30, help="profile lines printed")
    parser.add_argument("--save", type=Path, help="write the cProfile data here")
    args = parser.parse_args(argv)
    if args.users < 1 or args.actions < 1:
        parser.error("need --users >= 1 and --actions >= 1")
    settings = dataclasses.replace(load_settings(), cache_dir=Path(tempfile.mkdtemp()))
    client = prepare_to_serve(create_app(settings)).server.test_client()
    recorder = load_test.Recorder()

    class InProcessUser(load_test.User):
        def _timed_request(self, kind, method, path, **kwargs):
            self.requests_made += 1
            started = time.monotonic()
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, json=kwargs.get("json"))
            now = time.monotonic()
            self.recorder.add(load_test.Sample(kind, response.status_code, now - started, now))
            return _Reply(response)

    dependencies = client.get("/_dash-dependencies").get_json()
    callbacks = [load_test.CallbackSpec.from_dependency(d) for d in dependencies
                 if not d.get("clientside_function") and "{" not in d["output"]]
    image_inputs = {
        key for d in dependencies
        if d.get("clientside_function")
        and set(load_test.parse_outputs(d["output"])) & load_test.IMAGE_OUTPUTS
        for key in load_test.CallbackSpec.from_dependency(d).inputs}
    users = []
    for index in range(args.users):
        user = InProcessUser("", callbacks, recorder, random.Random(index), (0, 0), image_inputs)
        user.pool = _InOrder()
        user.load_page()
        user.switch_artwork("warm-up")  # users look at different artworks, as in the load test
        users.append(user)
    with recorder.lock:
        recorder.samples.clear()
    # ... and are at different points of their 8 moves per artwork.
    moves = [index % (load_test.MOVES_PER_ARTWORK + 1) for index in range(len(users))]
    profile = cProfile.Profile()
    cpu, wall = time.process_time(), time.monotonic()
    profile.enable()
    for action in range(args.actions):
        index = action % len(users)
        moves[index] += 1
        if moves[index] % (load_test.MOVES_PER_ARTWORK + 1) == 0:
            users[index].switch_artwork("ui:artwork")
        else:
            users[index].move_slider("ui:move")
    profile.disable()
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    kinds: dict[str, list[float]] = {}
    for sample in recorder.samples:
        kinds.setdefault(sample.kind, []).append(sample.seconds * 1000)
    for kind, values in sorted(kinds.items()):
        values.sort()
        print(f"{kind:<12} {len(values):>5}  median {values[len(values) // 2]:8.1f} ms  "
              f"mean {sum(values) / len(values):8.1f} ms")
    print(f"CPU {cpu:.2f} s (wall {wall:.2f} s) for {args.actions} actions: "
          f"{1000 * cpu / args.actions:.1f} ms of CPU per action")
    if args.save:
        profile.dump_stats(args.save)
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
