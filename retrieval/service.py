"""The serving side: one embedder, the current index version, and switching to new versions.

Both the CLI and the Discord bot ask questions through `AnswerService`, so they answer alike.
Between queries it checks the index pointer; a new version is loaded beside the old one and
swapped in only once it loaded, so a broken update never takes answers away and nobody waits.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

from retrieval import store
from retrieval.embedding import Embedder
from retrieval.indexer import BuildReport, Progress, build_index
from retrieval.search import Answer, Searcher

log = logging.getLogger(__name__)


class AnswerService:
    def __init__(self, root: Path, embedder: Embedder, base_url: str) -> None:
        self.root = Path(root)
        self.embedder = embedder
        self.base_url = base_url
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

    def ask(
        self,
        question: str,
        k: int = 3,
        start: int = 0,
        *,
        previous: Sequence[str] = (),
        evidence: Collection[str] | None = None,
        newest: bool = False,
    ) -> Answer:
        return self.searcher().search(
            question, k=k, start=start, previous=previous, evidence=evidence, newest=newest
        )

    def build(
        self, archive: Path, incremental: bool, progress: Progress | None = None
    ) -> BuildReport:
        kwargs = {"progress": progress} if progress else {}
        return build_index(archive, self.root, self.embedder, incremental=incremental, **kwargs)
