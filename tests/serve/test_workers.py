"""The warm worker pool: warm start, a crashed worker replaced, a full queue, a timeout, no orphans."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from briefpub.errors import InputError
from briefpub.serve.workers import ArticleIn, Busy, StyleIn, Timeout, WorkerCrashed, WorkerPool, convert_task


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


def test_crash_recycle_busy_timeout_and_clean_close() -> None:
    pool = WorkerPool(1, queue_limit=2, timeout=120)  # conversions on a loaded machine: generous
    pool.start()
    try:
        first = pool.pids()
        assert len(first) == 1

        async def scenario() -> None:
            article = ArticleIn(b"Title\n\nBody text.", "a.txt")
            rendered = await pool.run(convert_task, article, ["pdf"], StyleIn(), 1700000000)
            assert rendered.outputs[0].data.startswith(b"%PDF")
            with pytest.raises(InputError):  # bad input comes back as the CLI's error
                await pool.run(convert_task, ArticleIn(b"", "e.txt"), ["pdf"], StyleIn(), None)
            with pytest.raises(WorkerCrashed):
                await pool.run(os._exit, 3)
            assert pool.recycled == 1
            rendered = await pool.run(convert_task, article, ["pdf"], StyleIn(), 1700000000)  # a fresh worker
            assert rendered.outputs
            pool.timeout = 2  # read at each run: only this job is timed tightly
            with pytest.raises(Timeout):
                await pool.run(time.sleep, 60)
            pool.timeout = 120
            await asyncio.to_thread(pool.start)  # warm again before timing the queue
            slow = [asyncio.ensure_future(pool.run(time.sleep, 1)) for _ in range(2)]
            await asyncio.sleep(0.1)
            with pytest.raises(Busy):
                await pool.run(time.sleep, 0)
            await asyncio.gather(*slow)

        asyncio.run(scenario())
        assert pool.recycled == 2
        assert all(not _alive(pid) for pid in first)
        last = pool.pids()
    finally:
        pool.close()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in last) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in last)
