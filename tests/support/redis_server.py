"""A throw-away redis-server on 127.0.0.1, for the cache and deploy tests."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

import redis

from tests.support.processes import stop_process, wait_until


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


@dataclass
class RedisServer:
    """A redis-server (``--save '' --appendonly no``, LRU within 64 MB) that a test can stop
    and start again on the same port."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self) -> None:
        if self.process is not None:
            raise RuntimeError("redis-server already running")
        self.process = subprocess.Popen(
            [
                redis_server_binary() or "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--maxmemory", "64mb",
                "--maxmemory-policy", "volatile-lru",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = self.client()
        wait_until(lambda: client.ping(), timeout=10, what=f"redis-server on port {self.port}")
        client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        stop_process(self.process, timeout=10)
        self.process = None
