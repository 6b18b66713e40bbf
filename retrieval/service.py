"""The serving side: one embedder, the current index version, and switching to new versions.

Both the CLI and the Discord bot ask questions through `AnswerService`, so they answer alike.
Between queries it checks the index pointer; a new version is loaded beside the old one and
swapped in only once it loaded, so a broken update never takes answers away.
"""

from __future__ import annotations

import logging
import threading
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
        self._lock = threading.Lock()
        self._builder: Embedder | None = None
        self.last_error: str | None = None

    @property
    def index(self) -> store.IndexData:
        return self.searcher().index

    def searcher(self) -> Searcher:
        """The searcher over the serving version, reloading if the pointer moved."""
        with self._lock:
            current = store.current_version(self.root)
            if self._searcher is None or (current and current != self._searcher.index.version):
                try:
                    data = store.load(self.root, expected_model=self.embedder.name)
                except store.IndexLoadError as exc:
                    if self._searcher is None:
                        raise
                    self.last_error = str(exc)
                    log.error("keeping index %s: %s", self._searcher.index.version, exc)
                else:
                    self._searcher = Searcher(data, self.embedder, self.base_url)
                    self.last_error = None
                    log.info("serving index version %s", data.version)
            return self._searcher

    def ask(self, question: str, k: int = 3, start: int = 0) -> Answer:
        return self.searcher().search(question, k=k, start=start)

    def build(
        self, archive: Path, incremental: bool, progress: Progress | None = None
    ) -> BuildReport:
        kwargs = {"progress": progress} if progress else {}
        return build_index(archive, self.root, self.embedder, incremental=incremental, **kwargs)
