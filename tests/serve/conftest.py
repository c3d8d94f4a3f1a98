"""Fixtures of the server tests: one warm worker pool per test process, servers on free loopback ports."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from briefpub.serve.app import Config, create_app
from briefpub.serve.workers import WorkerPool


@dataclass
class Running:
    """A server running in a thread of the test process."""

    url: str
    config: Config
    server: Any
    thread: threading.Thread
    app: Any

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def start_server(config: Config, pool: WorkerPool | None) -> Running:
    import uvicorn

    app = create_app(config, pool=pool)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return Running(f"http://127.0.0.1:{port}", config, server, thread, app)


@pytest.fixture(scope="session")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(1, queue_limit=16, timeout=120)
    workers.start()
    yield workers
    workers.close()


@pytest.fixture
def serve(tmp_path: Path, pool: WorkerPool) -> Iterator[Any]:
    """``serve(**config)`` starts a server on the shared pool; all are stopped after the test."""
    running: list[Running] = []

    def start(**options: Any) -> Running:
        options.setdefault("data", tmp_path / "data")
        run = start_server(Config(**options), pool)
        running.append(run)
        return run

    yield start
    for run in running:
        run.stop()
