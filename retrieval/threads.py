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
them, on the core ONNX Runtime used for the encode and BLAS, pinned, leaves idle.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import faiss
import numpy as np  # noqa: F401 - likewise numpy's OpenBLAS
from threadpoolctl import threadpool_info, threadpool_limits

ENV = "VDWBOT_QUERY_THREADS"
DEFAULT = 1

_pinned: int | None = None
_local = threading.local()
_side: ThreadPoolExecutor | None = None
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


def beside(work: Callable[[], T]) -> Future[T]:
    """`work` run on the process's side thread, pinned like the others (one thread for every
    search: two searches at once queue their side work, a fraction of a millisecond each)."""
    global _side
    with _side_lock:
        if _side is None:
            _side = ThreadPoolExecutor(1, "vdwbot-beside")
        return _side.submit(_pinned_call, work)


def _pinned_call(work: Callable[[], T]) -> T:
    this_thread()
    return work()


def _forget_side() -> None:
    """A forked child has no side thread, only its parent's executor: it starts its own."""
    global _side
    _side = None


os.register_at_fork(after_in_child=_forget_side)
