"""Thread pools of query-time work pinned to one setting, whatever the machine's defaults.

A query multiplies one vector by thousands: a BLAS or OpenMP pool of several threads costs more
to wake than it saves, and on a small machine it fights ONNX Runtime's own threads for the cores
(the full-archive scoring product took 5.3 ms with OpenBLAS's 2 threads, 0.87 ms with 1).

`pin` limits every BLAS and OpenMP library loaded in the process (threadpoolctl). OpenBLAS keeps
one count for the process, but OpenMP keeps it per thread: a worker thread (the bot searches in
`asyncio.to_thread` workers) starts from the machine default again, and so does the OpenMP build
of OpenBLAS inside FAISS. So each query also calls `this_thread`, which sets the calling thread's
OpenMP count once.

A question's own Python work (its BM25 scores, the coverage check, the terms its key findings
are matched on) does not need the question's vector, and the vector products and FAISS searches
release the GIL. So `beside` runs that work on one side thread while the asking thread is in
them, on the core ONNX Runtime used for the encode and BLAS, pinned, leaves idle; over an exact
index the title product follows it there, beside the chunk product.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar, cast

import faiss  # loaded before `pin`, so that its OpenMP and BLAS libraries are pinned too
import numpy as np  # noqa: F401 - likewise numpy's OpenBLAS
from threadpoolctl import threadpool_info, threadpool_limits

ENV = "VDWBOT_QUERY_THREADS"
DEFAULT = 1

_pinned: int | None = None
_local = threading.local()
_side_lock = threading.Lock()
T = TypeVar("T")


def configured() -> int:
    """The setting: `VDWBOT_QUERY_THREADS`, default 1."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT
    try:
        count = int(raw)
    except ValueError:
        raise ValueError(f"{ENV} must be a whole number of threads, not {raw!r}") from None
    if count < 1:
        raise ValueError(f"{ENV} must be at least 1, not {count}")
    return count


def pin(count: int | None = None) -> int:
    """Limit BLAS and OpenMP pools to `count` threads (default: the setting); returns it."""
    global _pinned
    count = count or configured()
    threadpool_limits(limits=count)
    _pinned = count
    _local.count = None
    this_thread()
    return count


def this_thread() -> None:
    """Apply the pinned count to the calling thread's OpenMP pool (cheap after the first call)."""
    if _pinned is not None and getattr(_local, "count", None) != _pinned:
        faiss.omp_set_num_threads(_pinned)
        _local.count = _pinned


def in_force() -> dict:
    """What the calling thread runs with: the setting and each pool's thread count."""
    return {
        "setting": _pinned,
        "pools": [
            {"api": p["internal_api"], "library": os.path.basename(p["filepath"]),
             "threads": p["num_threads"]}
            for p in threadpool_info()
        ],
    }  # fmt: skip


class Pending(Generic[T]):
    """Work handed to the side thread: `result` waits for it and returns its value, or raises
    what it raised. (Lighter than a `concurrent.futures` executor: a question hands over work
    once and waits once, right after an encode, when every extra structure it touches is cold.)"""

    __slots__ = ("_done", "_error", "_value", "_work")

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = threading.Lock()
        self._done.acquire()  # released when the work has run

    def run(self) -> None:
        try:
            this_thread()
            self._value = self._work()
        except BaseException as exc:  # handed to the waiting thread, whatever it is
            self._error = exc
        finally:
            self._done.release()

    def result(self) -> T:
        with self._done:
            pass
        if self._error is not None:
            raise self._error
        return cast(T, self._value)


_jobs: queue.SimpleQueue[Pending] = queue.SimpleQueue()
_side: threading.Thread | None = None


def beside(work: Callable[[], T]) -> Pending[T]:
    """`work` run on the process's side thread, pinned like the others (one thread for every
    search: two searches at once queue their side work, a fraction of a millisecond each)."""
    global _side
    if _side is None:
        with _side_lock:
            if _side is None:
                _side = threading.Thread(target=_run_jobs, name="vdwbot-beside", daemon=True)
                _side.start()
    job = Pending(work)
    if threading.current_thread() is _side:  # work handed on from the side thread: no waiting
        job.run()  # on a job queued behind the one running
    else:
        _jobs.put(job)
    return job


def _run_jobs() -> None:
    while True:
        _jobs.get().run()


def _forget_side() -> None:
    """A forked child has no side thread, only its parent's: it starts its own."""
    global _side, _jobs
    _side, _jobs = None, queue.SimpleQueue()


os.register_at_fork(after_in_child=_forget_side)
