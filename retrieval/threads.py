"""Thread pools of query-time work pinned to one setting, whatever the machine's defaults.

A query multiplies one vector by thousands: a BLAS or OpenMP pool of several threads costs more
to wake than it saves, and on a small machine it fights ONNX Runtime's own threads for the cores
(the full-archive scoring product took 5.3 ms with OpenBLAS's 2 threads, 0.87 ms with 1).

`pin` limits every BLAS and OpenMP library loaded in the process (threadpoolctl). OpenBLAS keeps
one count for the process, but OpenMP keeps it per thread: a worker thread (the bot searches in
`asyncio.to_thread` workers) starts from the machine default again, and so does the OpenMP build
of OpenBLAS inside FAISS. So each query also calls `this_thread`, which sets the calling thread's
OpenMP count once.
"""

from __future__ import annotations

import os
import threading

import faiss
import numpy as np  # noqa: F401 - likewise numpy's OpenBLAS
from threadpoolctl import threadpool_info, threadpool_limits

ENV = "VDWBOT_QUERY_THREADS"
DEFAULT = 1

_pinned: int | None = None
_local = threading.local()


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
