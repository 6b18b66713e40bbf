"""The on-disk index: versioned folders of FAISS + SQLite + manifest, switched atomically.

Layout of an index root:

    CURRENT                 name of the serving version (replaced atomically)
    versions/<name>/        chunks.faiss, titles.faiss, meta.sqlite, manifest.json (immutable),
                            and ontology.json and openings.npy when the build had them
    .tmp-<name>/            a version being written; renamed into versions/ only when complete
    .lock                   held (flock) by the one running build; the kernel drops it on a crash
    cache/                  embeddings.sqlite and the ONNX export (`embeddings_cache`,
                            `onnx_cache`): safe to delete

(The bot keeps its feedback and question log beside them: retrieval/feedback.py,
retrieval/question_log.py.)

A reader loads a whole version into memory, so a later switch never disturbs it.

Both FAISS files are exact (`IndexFlatIP`) up to `FLAT_MAX_VECTORS` chunks and inverted files
(IVF over bfloat16 codes) above, or what `VDWBOT_INDEX_TYPE` says; the manifest records which.
An IVF file is read into one buffer that FAISS searches in place and `IvfRows` reads vectors
from (`read_faiss`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from retrieval.archive import Post
from retrieval.errors import Busy, VdwError

FORMAT_VERSION = 1
KEEP_VERSIONS = 3
FILES = ("chunks.faiss", "titles.faiss", "meta.sqlite", "manifest.json")
ONTOLOGY = "ontology.json"  # optional: what tag lookup takes from the archive's ontology
OPENINGS = "openings.npy"  # optional: the multilingual model's vectors of the posts' views
CACHE = "cache"
"""Beside the versions: what builds and models cache (embeddings.sqlite, the ONNX export)."""

INDEX_TYPES = ("auto", "flat", "ivf")
INDEX_TYPE_ENV = "VDWBOT_INDEX_TYPE"
FLAT_MAX_VECTORS = 35_000
"""Chunks up to which every post is scored exactly: the search stays within 1.5x the query
encode up to here (benchmarks/scale.py, ranking step p50 flat vs IVF: 1x 1.6 vs 1.9 ms, 2x
2.9 vs 2.0 ms (ratio 1.48), 3x 3.7 vs 2.1 ms (ratio 1.82), 4x 5.4 vs 2.2 ms)."""
IVF_LISTS = 4
"""Inverted lists per square root of the vector count (1.6M chunks: 5,060 lists of ~320)."""
IVF_TRAIN_PER_LIST = 64
"""Training sample per list for k-means (10 iterations): enough for the centroids, and what
keeps a 100x build within minutes on 2 cores."""

SCHEMA = """
CREATE TABLE posts (
    row INTEGER PRIMARY KEY, slug TEXT UNIQUE NOT NULL, title TEXT NOT NULL, date TEXT,
    tags TEXT, categories TEXT, aliases TEXT, page_id INTEGER, path TEXT,
    content_hash TEXT NOT NULL, body TEXT, bold TEXT
);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY, post_row INTEGER NOT NULL, section TEXT, position INTEGER,
    text TEXT NOT NULL, embed_hash TEXT NOT NULL
);
CREATE TABLE tags (tag TEXT NOT NULL, post_row INTEGER NOT NULL);
CREATE INDEX tags_tag ON tags(tag);
"""


class IndexLoadError(VdwError):
    """A missing, corrupt or incompatible index; the message names the file and the fix."""


@dataclass(frozen=True)
class PostRecord(Post):
    """A post as a version stores it: the parsed post, its row, and what building it found."""

    row: int
    bold: tuple[str, ...] = ()
    """Lines the author bolded: the findings step prefers them."""

    @classmethod
    def of(cls, post: Post, row: int, bold: tuple[str, ...]) -> PostRecord:
        return cls(**{f.name: getattr(post, f.name) for f in fields(Post)}, row=row, bold=bold)


@dataclass
class ChunkTable:
    """Column-wise chunk metadata; row i belongs to FAISS id i."""

    post_row: np.ndarray
    section: list[str]
    position: list[int]
    text: list[str]
    embed_hash: list[str]

    def __len__(self) -> int:
        return len(self.text)


@dataclass
class IndexData:
    """Everything a version holds, in memory: what builds produce and searches read."""

    manifest: dict
    posts: list[PostRecord]
    chunks: ChunkTable
    chunk_vectors: np.ndarray | IvfRows
    """One float32 row per chunk: an array (column-major when loaded from an exact index), or
    decoded on access from an approximate index's own codes (no copy)."""
    title_vectors: np.ndarray | IvfRows
    ontology: dict | None = None
    """Tag lookup's extract of the archive's ontology (retrieval.ontology), if it had one."""
    chunk_index: faiss.Index | None = None
    """The approximate index the vectors belong to, searched for candidates; None for an exact
    version, whose vectors are all scored at once (a flat FAISS index would be a second copy)."""
    title_index: faiss.Index | None = None
    openings: np.ndarray | None = None
    """The multilingual model's vectors of each post's views (retrieval.multilingual): views x
    posts x dimension; None for a version built before they were kept."""
    by_slug: dict[str, PostRecord] = field(init=False)

    def __post_init__(self) -> None:
        self.by_slug = {p.slug: p for p in self.posts}

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", ""))

    def post_chunks(self) -> list[list[str]]:
        """Each post row's chunk texts, in order (none for a post without text)."""
        texts: list[list[str]] = [[] for _ in self.posts]
        for text, row in zip(self.chunks.text, self.chunks.post_row, strict=True):
            texts[int(row)].append(text)
        return texts


def index_type_setting() -> str:
    """`VDWBOT_INDEX_TYPE`: auto (by size), flat or ivf."""
    value = os.environ.get(INDEX_TYPE_ENV, "auto").strip().lower() or "auto"
    if value not in INDEX_TYPES:
        raise ValueError(f"{INDEX_TYPE_ENV} must be one of {', '.join(INDEX_TYPES)}, not {value!r}")
    return value


def index_type_for(n: int, setting: str = "auto") -> str:
    """Exact up to the measured threshold, approximate above, unless the setting names one."""
    if setting != "auto":
        return setting
    return "flat" if n <= FLAT_MAX_VECTORS else "ivf"


def make_index(vectors: np.ndarray | IvfRows, kind: str) -> faiss.Index:
    """A FAISS inner-product index of `kind` holding `vectors` (normalised rows)."""
    rows = np.ascontiguousarray(np.asarray(vectors), dtype=np.float32)
    index = empty_index(kind, rows.shape[1], len(rows))
    picked = training_rows(index, len(rows))
    if len(picked):
        index.train(rows[picked])
    if len(rows):
        index.add(rows)
    return index


def empty_index(kind: str, d: int, n: int) -> faiss.Index:
    """An index of `kind` for `n` vectors of dimension `d`, not trained yet."""
    if kind == "flat":
        return faiss.IndexFlatIP(d)
    if kind == "ivf":
        # k-means cells; bfloat16 codes: half the memory, scores within 1e-3 of float32. Near
        # duplicates share a cell, where a graph (HNSW, tried first) loses them: recall@10 at
        # 30x 0.961 with HNSW, 0.996 with this
        lists = max(1, int(IVF_LISTS * np.sqrt(n)))
        bf16, ip = faiss.ScalarQuantizer.QT_bf16, faiss.METRIC_INNER_PRODUCT
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(d), d, lists, bf16, ip)
        index.cp.niter = 10
        return index
    raise ValueError(f"unknown index type {kind!r}")


def training_rows(index: faiss.Index, n: int) -> np.ndarray:
    """Which of `n` rows train `index`: a fixed random sample, none for a flat index."""
    if not isinstance(index, faiss.IndexIVF) or n == 0:
        return np.zeros(0, dtype=np.int64)
    sample = min(n, IVF_TRAIN_PER_LIST * index.nlist)
    return np.sort(np.random.default_rng(0).choice(n, sample, replace=False))


def kind_of(index: faiss.Index | None) -> str:
    return "ivf" if isinstance(index, faiss.IndexIVF) else "flat"


IVF_SQ_FOURCC = b"IwSq"
"""How a FAISS file of an `IndexIVFScalarQuantizer` begins."""
ROW_BLOCK = 256
"""Vectors decoded at a time: temporaries of a few hundred KB stay cheap, where one block of
5,000 cost 5.3 instead of 0.8 ms (10x chunks)."""


def read_faiss(path: Path) -> faiss.Index:
    """The FAISS file at `path`. An IVF index over scalar-quantised codes (the one kind this
    project writes) is read into one buffer that it uses in place (no second copy), so that
    `IvfRows` can read its codes with numpy; the index keeps the buffer alive. Any other is
    read the usual way (in place, an exact index's vectors would be misaligned for numpy)."""
    with open(path, "rb") as fh:
        in_place = fh.read(4) == IVF_SQ_FOURCC
    if not in_place:
        return faiss.read_index(str(path))
    buffer = np.fromfile(path, dtype=np.uint8)
    # (ZeroCopyIOReader and referenced_objects, FAISS's way of keeping what an index needs
    # alive, are missing from its type stubs)
    reader = faiss.ZeroCopyIOReader(faiss.swig_ptr(buffer), buffer.size)  # type: ignore[attr-defined]
    index = faiss.read_index(reader)
    index.referenced_objects = [buffer]  # type: ignore[attr-defined]
    return index


class IvfRows:
    """An IVF index's vectors by id, decoded with numpy from the codes in the buffer the index
    was read into (`read_faiss`): `rows[ids]`, `rows.sims(ids, q)`, `np.asarray(rows)`.

    The same float32 values as FAISS's `reconstruct_batch` (centroid plus bfloat16 residual),
    for 0.16 instead of 0.55 us a vector (10x chunks, 100 to 5,000 ids): FAISS's decoding was
    0.42 of the 1.48 ms candidate step at 10x, this is 0.15."""

    def __init__(self, index: faiss.IndexIVF) -> None:
        buffer = next(iter(getattr(index, "referenced_objects", [])), None)
        if (
            not isinstance(buffer, np.ndarray)
            or not isinstance(index, faiss.IndexIVFScalarQuantizer)
            or index.sq.qtype != faiss.ScalarQuantizer.QT_bf16
            or not index.by_residual
        ):
            raise ValueError("not an IVF index over bfloat16 residuals read by store.read_faiss")
        self.index = index
        n, d = index.ntotal, index.d
        self.shape = (n, d)
        self.dtype = np.dtype(np.float32)
        base, size = buffer.ctypes.data, buffer.size
        lists = index.invlists
        quantizer = faiss.downcast_index(index.quantizer)
        if lists is None or not isinstance(quantizer, faiss.IndexFlat):
            raise ValueError("IVF index without inverted lists or a flat quantizer")
        # where each id's code starts in the buffer, in 2-byte units, and its list
        self._start = np.zeros(n, dtype=np.int64)
        self._list = np.zeros(n, dtype=np.int32)
        shift = None
        for list_no in range(index.nlist):
            m = lists.list_size(list_no)
            if not m:
                continue
            at = _address(lists.get_codes(list_no)) - base
            ids_at = _address(lists.get_ids(list_no)) - base
            if min(at, ids_at) < 0 or max(at + m * d * 2, ids_at + m * 8) > size:
                raise ValueError("truncated FAISS file (inverted lists past its end)")
            shift = at % 2 if shift is None else shift
            if at % 2 != shift:
                raise ValueError("misaligned FAISS inverted lists")
            ids = faiss.rev_swig_ptr(lists.get_ids(list_no), m)
            self._start[ids] = (at - shift) // 2 + np.arange(m) * d
            self._list[ids] = list_no
        halves = buffer[shift or 0 :]
        halves = halves[: len(halves) // 2 * 2].view(np.uint16)
        # row i of this view is the d values from half i on: a code, gathered by its start
        self._codes = np.lib.stride_tricks.as_strided(
            halves, shape=(max(len(halves) - d + 1, 0), d), strides=(2, 2), writeable=False
        )
        self._centroids = np.array(
            faiss.rev_swig_ptr(quantizer.get_xb(), index.nlist * d), dtype=np.float32
        ).reshape(index.nlist, d)  # copied: aligned for numpy

    def __len__(self) -> int:
        return self.index.ntotal

    def __getitem__(self, key: int | np.integer | slice | np.ndarray) -> np.ndarray:
        if isinstance(key, slice):
            key = np.arange(self.index.ntotal)[key]
        if np.ndim(key) == 0:
            return self._decode(np.array([int(key)]))[0]
        ids = np.asarray(key, dtype=np.int64)
        out = np.empty((len(ids), self.shape[1]), dtype=np.float32)
        for at in range(0, len(ids), ROW_BLOCK):
            out[at : at + ROW_BLOCK] = self._decode(ids[at : at + ROW_BLOCK])
        return out

    def sims(self, ids: np.ndarray, q: np.ndarray) -> np.ndarray:
        """`self[ids] @ q`, a block at a time."""
        out = np.empty(len(ids), dtype=np.float32)
        for at in range(0, len(ids), ROW_BLOCK):
            out[at : at + ROW_BLOCK] = self._decode(ids[at : at + ROW_BLOCK]) @ q
        return out

    def _decode(self, ids: np.ndarray) -> np.ndarray:
        """As FAISS reconstructs: the bfloat16 residual widened to float32, plus the centroid."""
        rows = self._codes[self._start[ids]].astype(np.uint32)
        rows <<= 16
        vectors = rows.view(np.float32)
        vectors += self._centroids[self._list[ids]]
        return vectors

    def __array__(self, dtype: npt.DTypeLike | None = None, copy: object = None) -> np.ndarray:
        rows = self[np.arange(self.index.ntotal)]
        return rows if dtype is None else rows.astype(dtype, copy=False)


def _address(pointer: object) -> int:
    """Address of a SWIG pointer into a buffer."""
    return int(faiss.rev_swig_ptr(pointer, 1).__array_interface__["data"][0])


def _exact_vectors(index: faiss.Index) -> np.ndarray:
    """Every vector of a flat index, stored column-major: each query scores all of them at
    once, and numpy does that faster when each dimension is contiguous (0.44 vs 0.67 ms for the
    archive's chunks)."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32, order="F")
    return np.asfortranarray(index.reconstruct_n(0, index.ntotal))


def vector_view(index: faiss.Index) -> np.ndarray | IvfRows:
    """The index's stored vectors as (n, d) float32 rows without copying them: an array for a
    flat index, `IvfRows` for an IVF index (read by `read_faiss`). Valid while the index lives."""
    if isinstance(index, faiss.IndexFlat):
        n, d = index.ntotal, index.d
        if n == 0:
            return np.zeros((0, d), dtype=np.float32)
        return faiss.rev_swig_ptr(index.get_xb(), n * d).reshape(n, d)
    if isinstance(index, faiss.IndexIVF):
        return IvfRows(index)
    raise ValueError(f"unsupported FAISS index {type(index).__name__}")


def embeddings_cache(root: Path) -> Path:
    """The embedding cache file of an index root (`EmbeddingCache`)."""
    return Path(root) / CACHE / "embeddings.sqlite"


def onnx_cache(root: Path) -> Path:
    """Where the model's ONNX export for an index root is kept (`Embedder(cache_dir=...)`)."""
    return Path(root) / CACHE / "onnx"


def _fix_hint(root: Path) -> str:
    return f"rebuild it with: vdwbot index build --archive DIR --index {root}"


# ---------------------------------------------------------------- writing


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """One build at a time per index root; a crashed build leaves no stale lock (flock)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy(f"another build is running on {root}") from None
        # Whoever holds the lock owns the temp folders: leftovers are from killed builds.
        for leftover in root.glob(".tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class BuildBusy(Busy):
    """Another build holds the index lock."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_version(root: Path, data: IndexData) -> Path:
    """Write `data` as a new version and switch CURRENT to it; nothing changes on failure."""
    name = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    data.manifest["version"] = name
    data.manifest["format"] = FORMAT_VERSION
    # one type for both files, by the chunk count: beside an approximate chunk search a flat
    # title scan would cost more than the rest of the candidate search
    kind = index_type_for(len(data.chunk_vectors), index_type_setting())
    kinds = {"chunks": kind, "titles": kind}
    data.manifest["index_types"] = kinds
    tmp = root / f".tmp-{name}"
    tmp.mkdir(parents=True)
    try:
        for part, vectors, index in (
            ("chunks", data.chunk_vectors, data.chunk_index),
            ("titles", data.title_vectors, data.title_index),
        ):
            if index is None or kind_of(index) != kinds[part]:
                index = make_index(vectors, kinds[part])
            faiss.write_index(index, str(tmp / f"{part}.faiss"))
        _write_sqlite(tmp / "meta.sqlite", data)
        (tmp / "manifest.json").write_text(json.dumps(data.manifest, indent=2), "utf-8")
        optional: tuple[str, ...] = ()
        if data.ontology is not None:
            (tmp / ONTOLOGY).write_text(json.dumps(data.ontology, ensure_ascii=False), "utf-8")
            optional += (ONTOLOGY,)
        if data.openings is not None:
            np.save(tmp / OPENINGS, np.asarray(data.openings, dtype=np.float32))
            optional += (OPENINGS,)
        for name_ in FILES + optional:
            with open(tmp / name_, "rb") as fh:
                os.fsync(fh.fileno())
        versions = root / "versions"
        versions.mkdir(exist_ok=True)
        final = versions / name
        os.rename(tmp, final)
        _fsync_dir(versions)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pointer = root / f".CURRENT.{name}"
    pointer.write_text(name + "\n", "utf-8")
    os.replace(pointer, root / "CURRENT")
    _fsync_dir(root)
    _prune(root, keep=KEEP_VERSIONS)
    return final


def _write_sqlite(path: Path, data: IndexData) -> None:
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO posts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    p.row,
                    p.slug,
                    p.title,
                    p.date,
                    json.dumps(p.tags),
                    json.dumps(p.categories),
                    json.dumps(p.aliases),
                    p.page_id,
                    p.path,
                    p.content_hash,
                    p.body,
                    json.dumps(p.bold),
                )
                for p in data.posts
            ],
        )
        c = data.chunks
        db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?)",
            zip(
                range(len(c)),
                (int(r) for r in c.post_row),
                c.section,
                c.position,
                c.text,
                c.embed_hash,
                strict=True,
            ),
        )
        db.executemany(
            "INSERT INTO tags VALUES (?,?)",
            [(t, p.row) for p in data.posts for t in p.tags],
        )
        db.commit()
    finally:
        db.close()


def _prune(root: Path, keep: int) -> None:
    """Drop all but the newest `keep` versions (never the serving one)."""
    current = current_version(root)
    versions = sorted(p for p in (root / "versions").iterdir() if p.is_dir())
    for old in versions[:-keep]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- reading


def current_version(root: Path) -> str | None:
    """Name of the serving version, or None when no index was ever built here."""
    try:
        return (root / "CURRENT").read_text("utf-8").strip() or None
    except FileNotFoundError:
        return None


def exists(root: Path) -> bool:
    return current_version(Path(root)) is not None


def load(root: Path, expected_model: str | None = None) -> IndexData:
    """Load the serving version into memory; clear errors for missing/corrupt/mismatched files."""
    root = Path(root)
    name = current_version(root)
    if name is None:
        raise IndexLoadError(f"no index at {root}: build one with vdwbot index build --archive DIR")
    return load_version(root, root / "versions" / name, expected_model)


def load_version(root: Path, folder: Path, expected_model: str | None = None) -> IndexData:
    for name in FILES:
        if not (folder / name).is_file():
            raise IndexLoadError(f"index file missing: {folder / name}; {_fix_hint(root)}")
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexLoadError(
            f"corrupt manifest {folder / 'manifest.json'} ({exc}); {_fix_hint(root)}"
        ) from None
    written = manifest.get("format", FORMAT_VERSION)
    if not isinstance(written, int) or written > FORMAT_VERSION:
        raise IndexLoadError(
            f"index {folder} was written in format {written!r}, and this vdwbot reads format "
            f"{FORMAT_VERSION}: update vdwbot, or {_fix_hint(root)}"
        )
    if expected_model and manifest.get("model") != expected_model:
        raise IndexLoadError(
            f"index {folder} was built with model {manifest.get('model')!r} but "
            f"{expected_model!r} is configured; rebuild the index or configure that model"
        )
    indexes = {}
    for name in ("chunks.faiss", "titles.faiss"):
        try:
            indexes[name] = read_faiss(folder / name)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[0][:200]
            raise IndexLoadError(
                f"corrupt FAISS file {folder / name} ({first}); {_fix_hint(root)}"
            ) from None
    try:
        posts, chunks = _read_sqlite(folder / "meta.sqlite")
    except sqlite3.DatabaseError as exc:
        raise IndexLoadError(
            f"corrupt SQLite file {folder / 'meta.sqlite'} ({exc}); {_fix_hint(root)}"
        ) from None
    chunk_index, title_index = indexes["chunks.faiss"], indexes["titles.faiss"]
    if len(chunks) != chunk_index.ntotal or len(posts) != title_index.ntotal:
        raise IndexLoadError(f"index files in {folder} disagree on counts; {_fix_hint(root)}")
    ontology = _read_ontology(root, folder)
    openings = _read_openings(root, folder, len(posts))
    if kind_of(chunk_index) == kind_of(title_index) == "flat":
        exact = _exact_vectors(chunk_index), _exact_vectors(title_index)
        return IndexData(manifest, posts, chunks, *exact, ontology, openings=openings)
    views = {}
    for name, index in indexes.items():
        try:
            views[name] = vector_view(index)
        except ValueError as exc:
            raise IndexLoadError(f"{exc}: {folder / name}; {_fix_hint(root)}") from None
    return IndexData(
        manifest, posts, chunks, views["chunks.faiss"], views["titles.faiss"], ontology,
        chunk_index, title_index, openings,
    )  # fmt: skip


def _read_ontology(root: Path, folder: Path) -> dict | None:
    try:
        data = json.loads((folder / ONTOLOGY).read_text("utf-8"))
    except FileNotFoundError:
        return None  # built before the ontology was kept, or from an archive without one
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexLoadError(f"corrupt {folder / ONTOLOGY} ({exc}); {_fix_hint(root)}") from None
    if not isinstance(data, dict):
        raise IndexLoadError(f"corrupt {folder / ONTOLOGY} (not an object); {_fix_hint(root)}")
    return data


def _read_openings(root: Path, folder: Path, posts: int) -> np.ndarray | None:
    try:
        openings = np.load(folder / OPENINGS)
    except FileNotFoundError:
        return None  # built before the openings were kept: other languages go without them
    except (ValueError, OSError, EOFError) as exc:
        raise IndexLoadError(f"corrupt {folder / OPENINGS} ({exc}); {_fix_hint(root)}") from None
    if openings.ndim != 3 or openings.shape[1] != posts or openings.dtype != np.float32:
        raise IndexLoadError(
            f"{folder / OPENINGS} does not hold one vector per post and view; {_fix_hint(root)}"
        )
    return openings


def _post_record(r: tuple) -> PostRecord:
    row, slug, title, date, tags, cats, aliases, page_id, path, chash, body, bold = r
    return PostRecord(
        row=row, slug=slug, title=title, date=date or "", tags=tuple(json.loads(tags)),
        categories=tuple(json.loads(cats)), aliases=tuple(json.loads(aliases)), page_id=page_id,
        path=path or "", content_hash=chash, body=body or "", bold=tuple(json.loads(bold or "[]")),
    )  # fmt: skip


def _read_sqlite(path: Path) -> tuple[list[PostRecord], ChunkTable]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        posts = [_post_record(r) for r in db.execute("SELECT * FROM posts ORDER BY row")]
        rows = db.execute(
            "SELECT post_row, section, position, text, embed_hash FROM chunks ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    chunks = ChunkTable(
        post_row=np.array([r[0] for r in rows], dtype=np.int64),
        section=[r[1] or "" for r in rows],
        position=[r[2] for r in rows],
        text=[r[3] for r in rows],
        embed_hash=[r[4] for r in rows],
    )
    return posts, chunks
