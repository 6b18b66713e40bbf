"""The multilingual model over post openings: it reads other languages, builds keep its vectors,
and only other-language questions are lifted by them."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from retrieval import multilingual, store
from retrieval.indexer import build_index
from retrieval.multilingual import OPENING_WEIGHT, MultilingualEncoder, lift, opening
from retrieval.query import build_query
from retrieval.service import AnswerService
from tests.helpers import SEEDS, service_over

# Openings and questions written for these tests from general knowledge: one subject each.
OPENINGS = {
    "bones": "Bone density and fractures. Older women given vitamin D and calcium broke fewer "
    "hips, and their bone mineral density fell less over two years.",
    "skin": "Psoriasis and vitamin D. Skin plaques, scaling and itching improved when patients "
    "took vitamin D for twelve weeks.",
    "pregnancy": "Pregnancy outcomes. Pregnant women taking vitamin D had fewer cases of "
    "preeclampsia and fewer premature births.",
}
QUESTIONS = [
    ("¿La vitamina D protege los huesos de las mujeres mayores?", "bones"),
    ("Hilft Vitamin D bei Schuppenflechte?", "skin"),
    ("La vitamine D est-elle utile pendant la grossesse ?", "pregnancy"),
    ("Czy witamina D chroni kości przed złamaniami?", "bones"),
    ("A vitamina D ajuda na psoríase?", "skin"),
    ("La vitamina D aiuta in gravidanza?", "pregnancy"),
    ("Beschermt vitamine D de botten van oudere vrouwen?", "bones"),
]


@pytest.fixture(scope="module")
def encoder() -> MultilingualEncoder:
    return multilingual.shared()


@pytest.mark.parametrize(("question", "subject"), QUESTIONS)
def test_question_in_another_language_is_closest_to_its_english_opening(
    encoder: MultilingualEncoder, question: str, subject: str
) -> None:
    vectors = encoder.passages(list(OPENINGS.values()))
    sims = vectors @ encoder.question(question)
    assert list(OPENINGS)[int(np.argmax(sims))] == subject


def test_vectors_are_normalised(encoder: MultilingualEncoder) -> None:
    vectors = encoder.passages(list(OPENINGS.values()))
    assert vectors.shape == (3, multilingual.DIMENSION) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-3)
    assert encoder.passages([]).shape == (0, multilingual.DIMENSION)


def test_lift_is_the_standardised_similarity_times_its_weight() -> None:
    rng = np.random.default_rng(3)
    openings = rng.normal(size=(50, 8)).astype(np.float32)
    question = rng.normal(size=8).astype(np.float32)
    lifted = lift(openings, question)
    assert lifted.mean() == pytest.approx(0.0, abs=1e-6)
    assert lifted.std() == pytest.approx(OPENING_WEIGHT, rel=1e-3)
    assert np.argmax(lifted) == np.argmax(openings @ question)
    assert not lift(np.ones((4, 8), np.float32), question).any()  # no spread: no lift
    assert lift(np.zeros((0, 8), np.float32), question).shape == (0,)


def test_opening_is_the_title_then_the_start_of_the_first_chunk() -> None:
    assert opening("Title", "") == "Title"
    text = opening("Title", "word " * 500)
    assert text.startswith("Title. word word") and len(text) == len("Title. ") + 600


class Counting(MultilingualEncoder):
    """The real encoder, counting the texts it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def passages(self, texts):
        self.texts += len(texts)
        return super().passages(texts)


def test_build_keeps_one_opening_vector_per_post_and_embeds_only_new_ones(
    tmp_path, embedder, archive_dir
) -> None:
    archive, root = tmp_path / "posts", tmp_path / "ix"
    shutil.copytree(SEEDS, archive)
    counting = Counting()
    build_index(archive, root, embedder, multilingual_encoder=counting)
    data = store.load(root)
    assert data.openings is not None and data.openings.shape == (len(data.posts), 384)
    assert data.manifest["openings_model"] == multilingual.NAME
    first_chunk = data.chunks.text[0]
    assert data.openings[0] == pytest.approx(
        counting.passages([opening(data.posts[0].title, first_chunk)])[0], abs=1e-5
    )
    # a post whose name sorts first: every earlier post moves down a row
    extra = next(p for p in sorted(archive_dir.glob("*.md")) if p.stat().st_size > 3000)
    shutil.copy(extra, archive / f"0-{extra.name}")
    (root / "cache" / "embeddings.sqlite").unlink()  # the serving version is what is reused
    counting.texts = 0
    report = build_index(archive, root, embedder, incremental=True, multilingual_encoder=counting)
    assert counting.texts == report.openings == 1
    after = store.load(root)
    assert after.openings is not None and len(after.openings) == len(data.posts) + 1
    moved = after.by_slug[data.posts[0].slug].row
    assert moved != 0 and np.array_equal(after.openings[moved], data.openings[0])
    again = build_index(archive, root, embedder, incremental=True, multilingual_encoder=counting)
    assert again.openings == 0 and again.version == after.version


def test_version_without_openings_answers_and_is_completed_by_an_update(tmp_path, embedder) -> None:
    root = tmp_path / "ix"
    build_index(SEEDS, root, embedder)
    folder = root / "versions" / store.current_version(root)
    (folder / store.OPENINGS).unlink()  # as a version built before openings were kept
    assert store.load(root).openings is None
    service = AnswerService(root, embedder, "https://example.org")
    answer = service.ask("¿La vitamina D evita la pérdida ósea en la esclerosis múltiple?")
    assert answer.hits and answer.hits[0].slug.startswith("2800-iu")
    build_index(SEEDS, root, embedder, incremental=True)  # same posts, openings missing
    assert store.load(root).openings is not None


def test_corrupt_openings_file_is_a_clear_error(tmp_path, embedder) -> None:
    root = tmp_path / "ix"
    build_index(SEEDS, root, embedder)
    folder = root / "versions" / store.current_version(root)
    np.save(folder / store.OPENINGS, np.zeros((7, 384), np.float32))
    with pytest.raises(store.IndexLoadError, match="one vector per post"):
        store.load(root)
    for content in (b"not numpy", b""):
        (folder / store.OPENINGS).write_bytes(content)
        with pytest.raises(store.IndexLoadError, match="corrupt"):
            store.load(root)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder) -> AnswerService:
    posts = [(subject, text.split(". ")[0], text) for subject, text in OPENINGS.items()]
    return service_over(posts, tmp_path_factory.mktemp("multilingual"), embedder)


def test_only_other_language_questions_are_lifted(service: AnswerService) -> None:
    searcher = service.searcher()
    english = build_query("does vitamin D help psoriasis?")
    assert searcher._opening_lift(english) is None
    spanish = build_query("¿La vitamina D ayuda con la psoriasis?")
    lifted = searcher._opening_lift(spanish)
    assert lifted is not None
    assert searcher.index.posts[int(np.argmax(lifted))].slug == "skin"


def test_lift_is_added_to_the_ranking_scores(service: AnswerService) -> None:
    searcher = service.searcher()
    query = build_query("Hilft Vitamin D bei Schuppenflechte?")
    vec = searcher._query_vector(query)
    lifted = searcher._opening_lift(query)
    assert lifted is not None
    plain = searcher.rank_posts(vec).scores
    assert searcher.rank_posts(vec, lift=lifted).scores == pytest.approx(plain + lifted)
    assert service.ask("Hilft Vitamin D bei Schuppenflechte?").hits[0].slug == "skin"
