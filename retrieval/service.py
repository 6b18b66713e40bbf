"""The serving side: one embedder, the current index version, and switching to new versions.

Both the CLI and the Discord bot ask questions through `AnswerService`, so they answer alike.
Between queries it checks the index pointer; a new version is loaded beside the old one and
swapped in only once it loaded, so a broken update never takes answers away and nobody waits.
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import threading
import time
import weakref
from pathlib import Path
from typing import Unpack

from retrieval import store, threads
from retrieval.archive_sync import pull
from retrieval.embedding import Embedder
from retrieval.indexer import BuildReport, Progress, build_index
from retrieval.multilingual import MultilingualEncoder
from retrieval.search import Answer, Searcher, SearchOptions

log = logging.getLogger(__name__)

BUILD_THREADS_WHILE_SERVING = max(1, (os.cpu_count() or 1) - 1)
"""A build beside live questions leaves one core to them (ONNX backends)."""
EXIT_WAIT = 10.0
"""Seconds an exiting process waits for a preparation to stop (`_stop_preparing`)."""

_preparing: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_exiting = threading.Event()


@atexit.register
def _stop_preparing() -> None:
    """At exit, stop the preparations still running and wait for them. One left inside an ONNX
    Runtime call while the interpreter is torn down aborts the process ("terminate called
    without an active exception", exit status 134): `vdwbot chat` quit in its first seconds did
    it about once in 40 runs. Preparing stops between posts, so this waits for the model loads
    at most (seconds, once)."""
    _exiting.set()
    for thread in list(_preparing):
        thread.join(timeout=EXIT_WAIT)


class AnswerService:
    def __init__(
        self, root: Path, embedder: Embedder, base_url: str, *, prepare: bool = False
    ) -> None:
        """`prepare`: a long-running process (the bot, a chat) prepares each version's findings
        in the background once it serves it (`Searcher.prepare_findings`), after loading the
        query side (`Searcher.prepare_questions`); a one-off question does not wait for that."""
        # This process answers questions from here on: pin its query-time thread pools.
        self.threads = threads.pin()
        self.root = Path(root)
        self.embedder = embedder
        self.base_url = base_url
        self.prepare = prepare
        self.prepared = threading.Event()
        """Set when the serving version's findings are prepared (or preparing was skipped)."""
        self._searcher: Searcher | None = None
        self._loading = threading.Lock()
        self.last_error: str | None = None

    def searcher(self) -> Searcher:
        """The searcher over the serving version, switching when the pointer moved.

        Loading a version takes seconds; while one thread loads it, the others keep answering
        from the old version instead of waiting (they wait only when there is nothing to serve).
        """
        current = store.current_version(self.root)
        serving = self._searcher
        if serving is not None and (current is None or current == serving.index.version):
            return serving
        if serving is not None and not self._loading.acquire(blocking=False):
            return serving  # another thread is loading the new version
        if serving is None:
            self._loading.acquire()
        try:
            serving = self._searcher
            current = store.current_version(self.root)
            if serving is None or (current and current != serving.index.version):
                self._load(serving)
            assert self._searcher is not None  # _load raised if there was nothing to serve
            return self._searcher
        finally:
            self._loading.release()

    def _load(self, serving: Searcher | None) -> None:
        try:
            data = store.load(self.root, expected_model=self.embedder.name)
        except store.IndexLoadError as exc:
            if serving is None:
                raise
            self.last_error = str(exc)
            log.error("keeping index %s: %s", serving.index.version, exc)
            return
        self._searcher = Searcher(data, self.embedder, self.base_url)
        # What is alive now (modules, index, the model once loaded) lives as long as this serves.
        # Freezing it keeps the collector's full passes, which hold the GIL and so pause the
        # event loop too, from walking it each time: 80-500 ms a pass otherwise, 1 us an object.
        gc.freeze()
        self.last_error = None
        log.info("serving index version %s", data.version)
        if not self.prepare:
            self.prepared.set()
            return
        self.prepared.clear()
        thread = threading.Thread(
            target=self._prepare, args=(self._searcher,), name="prepare-findings", daemon=True
        )
        _preparing.add(thread)
        thread.start()

    def _prepare(self, searcher: Searcher) -> None:
        """Runs beside the questions, which meanwhile answer as they would without it."""
        threads.this_thread()
        started = time.perf_counter()
        try:
            searcher.prepare_questions()
            n = searcher.prepare_findings(stop=_exiting)
            log.info("findings prepared: %d sentences in %.1f s", n, time.perf_counter() - started)
        except Exception:  # questions still answer, splitting what they quote as they go
            log.exception("preparing findings failed")
        finally:
            gc.freeze()  # what it keeps lives as long as the version serves, as the index does
            if self._searcher is searcher:  # not a version already replaced
                self.prepared.set()

    def ask(
        self, question: str, k: int = 3, start: int = 0, **options: Unpack[SearchOptions]
    ) -> Answer:
        return self.searcher().search(question, k=k, start=start, **options)

    def build_embedder(self) -> Embedder:
        """A model instance of its own for a build beside live questions: it never waits on the
        serving instance's lock, and runs on fewer threads so questions keep a core."""
        return self.embedder.twin(threads=BUILD_THREADS_WHILE_SERVING)

    @staticmethod
    def build_multilingual() -> MultilingualEncoder:
        """The same for the multilingual model's pass over the posts' views."""
        return MultilingualEncoder(BUILD_THREADS_WHILE_SERVING)

    def build(
        self,
        archive: Path,
        incremental: bool,
        progress: Progress | None = None,
        *,
        while_serving: bool = False,
    ) -> BuildReport:
        """A new index version from `archive`; `while_serving` when questions are being answered
        meanwhile (the bot), so the build gets its own, smaller model instance."""
        if not while_serving:
            return build_index(archive, self.root, self.embedder, incremental, progress)
        return build_index(
            archive, self.root, self.build_embedder(), incremental, progress,
            self.build_multilingual(),
        )  # fmt: skip

    def pull_and_update(
        self, archive: Path, progress: Progress | None = None, *, while_serving: bool = False
    ) -> tuple[str, BuildReport]:
        """`git pull --ff-only` in the archive, then an incremental update: (git's summary, report).
        Raises `SyncError` (nothing rebuilt) when the pull fails."""
        synced = pull(archive)
        return synced, self.build(archive, True, progress, while_serving=while_serving)
