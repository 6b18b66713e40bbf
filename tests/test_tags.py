"""Tag lookup by any name of a topic: lay names, possessives, abbreviations, chemical symbols and
other languages (through the vocabulary), the ontology's phrases and equivalences, misspellings.
The ontology travels with the index version."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval import store
from retrieval.ontology import TagOntology, parse_ontology, read_for_archive
from retrieval.store import ChunkTable, IndexData, PostRecord
from retrieval.tags import TagCatalogue
from tests.helpers import SHARED, write_post

SMALL_ONTOLOGY = """/* a made-up ontology in the site's format */
"vitamin d" "calciferol" => #vitamin_d
/\\d+\\s*iu/i => #dosage
#chronic_kidney_disease = #CKD
#CKD = #renal_disease
"widget syndrome" "wdg" => #widgetosis
"c-section" => #caesarean
(#cancer #child) => #childhood_cancer
#widgetosis #caesarean => #made_up_category
#widgetosis ~ #caesarean
"""


def record(slug: str, tags: tuple[str, ...], date: str = "2013-01-01") -> PostRecord:
    return PostRecord(
        row=0, slug=slug, title=slug, date=date, tags=tags, categories=(), aliases=(),
        page_id=None, body="", path="", content_hash="h",
    )  # fmt: skip


POSTS = [
    record("a", ("osteoporosis", "bone")),
    record("b", ("magnesium", "diabetes")),
    record("c", ("zinc", "virus")),
    record("d", ("vitamin d", "dosage")),
    record("e", ("crohns", "gut")),
    record("f", ("CKD", "kidney")),
    record("g", ("seasonal affective disorder",)),
    record("h", ("breast cancer", "cancer")),
    record("i", ("widgetosis",)),
    record("j", ("sepsis",)),
    record("k", ("parkinsons",)),
    record("l", ("pregnancy",)),
]


def test_ontology_phrases_and_equivalences():
    onto = parse_ontology(SMALL_ONTOLOGY)
    assert onto.phrases["calciferol"] == "vitamin d"
    assert onto.phrases["wdg"] == onto.phrases["widget syndrome"] == "widgetosis"
    assert onto.phrases["c section"] == "caesarean"
    assert "childhood cancer" not in onto.phrases.values()  # a combination, not a phrase rule
    assert set(onto.equivalent["ckd"]) == {"chronic kidney disease", "renal disease"}
    assert onto.tags_for("Renal disease") == ["renal disease", "chronic kidney disease", "ckd"]
    assert TagOntology.from_json(json.loads(json.dumps(onto.to_json()))) == onto


def test_ontology_is_read_next_to_the_archive(tmp_path):
    posts = tmp_path / "archive" / "posts"
    posts.mkdir(parents=True)
    assert read_for_archive(posts) is None
    (tmp_path / "archive" / "ontology.txt").write_text(SMALL_ONTOLOGY, "utf-8")
    assert read_for_archive(posts) == parse_ontology(SMALL_ONTOLOGY)


@pytest.mark.parametrize(
    ("name", "tag"),
    [("brittle bones", "osteoporosis"), ("Mg", "magnesium"), ("Zn", "zinc"), ("D3", "vitamin d"),
     ("crohn's", "crohns"), ("Crohn’s disease", "crohns"), ("parkinson's", "parkinsons"),
     ("winter blues", "seasonal affective disorder"), ("Brustkrebs", "breast cancer"),
     ("blood poisoning", "sepsis"), ("Schwangerschaft", "pregnancy"), ("ciąży", "pregnancy"),
     ("osteoperosis", "osteoporosis"), ("sugar disease", "diabetes")],
)  # fmt: skip
def test_names_resolve_without_an_ontology(name, tag):
    assert TagCatalogue(POSTS).resolve(name) == tag


def test_ontology_adds_its_phrases_and_equivalences():
    plain, full = TagCatalogue(POSTS), TagCatalogue(POSTS, parse_ontology(SMALL_ONTOLOGY))
    assert full.resolve("widget syndrome") == full.resolve("WDG") == "widgetosis"
    assert plain.resolve("wdg") != "widgetosis"
    assert full.resolve("renal disease") == "ckd"  # two equivalences away
    assert full.resolve("chronic kidney disease") == "ckd"


def test_lookup_lists_and_limits():
    cat = TagCatalogue(POSTS, parse_ontology(SMALL_ONTOLOGY))
    assert [m.tag for m in cat.match("Zn", limit=1)] == ["zinc"]
    assert cat.match("qqqqqqq") == []
    assert len(cat.match("", limit=3)) == 3


def empty_index(ontology: dict | None) -> IndexData:
    vectors = np.zeros((0, 4), dtype=np.float32)
    chunks = ChunkTable(np.zeros(0, dtype=np.int64), [], [], [], [])
    return IndexData({"model": "m"}, [], chunks, vectors, vectors, ontology)


def test_store_keeps_the_ontology_with_the_version(tmp_path):
    onto = parse_ontology(SMALL_ONTOLOGY).to_json()
    store.write_version(tmp_path / "with", empty_index(onto))
    assert store.load(tmp_path / "with").ontology == onto
    store.write_version(tmp_path / "without", empty_index(None))
    assert store.load(tmp_path / "without").ontology is None
    folder = store.write_version(tmp_path / "bad", empty_index(onto))
    (folder / store.ONTOLOGY).write_text("{not json", "utf-8")
    with pytest.raises(store.IndexLoadError, match="ontology"):
        store.load(tmp_path / "bad")


@pytest.mark.slow
def test_build_copies_the_archive_ontology_into_the_index(tmp_path, embedder):
    from retrieval.indexer import build_index

    posts = tmp_path / "archive" / "posts"
    posts.mkdir(parents=True)
    write_post(posts, "widgets-and-vitamin-d", "Widgets and vitamin D", ["widgetosis"], 2)
    build_index(posts, tmp_path / "ix", embedder)
    assert store.load(tmp_path / "ix").ontology is None
    assert TagCatalogue.for_index(store.load(tmp_path / "ix")).resolve("widgets") == "widgetosis"
    (tmp_path / "archive" / "ontology.txt").write_text(SMALL_ONTOLOGY, "utf-8")
    # Same posts, new ontology: an incremental update still writes a version that has it.
    build_index(posts, tmp_path / "ix", embedder, incremental=True)
    catalogue = TagCatalogue.for_index(store.load(tmp_path / "ix"))
    assert catalogue.resolve("widget syndrome") == "widgetosis"


# Lay names, abbreviations, symbols and other-language names chosen from general knowledge,
# checked against the real archive's tags and ontology.
REAL_NAMES = [
    ("brittle bones", "osteoporosis"), ("thin bones", "osteoporosis"), ("Mg", "magnesium"),
    ("Zn", "zinc"), ("Ca", "calcium"), ("Fe", "iron"), ("D3", "vitamin d"), ("K2", "vitamin k"),
    ("fish oil", "omega 3"), ("crohn's", "crohns"), ("parkinson's", "parkinsons"),
    ("alzheimers", "dementia"), ("MS", "multiple sclerosis"), ("RA", "rheumatoid arthritis"),
    ("chronic kidney disease", "ckd"), ("kidney failure", "ckd"), ("c-section", "caesarean"),
    ("broken hip", "hip fractures"), ("stress fracture", "bone stress fractures"),
    ("high blood pressure", "hypertension"), ("heart attack", "cardiovascular"),
    ("the flu", "influenza"), ("blood poisoning", "sepsis"), ("glandular fever", "mononucleosis"),
    ("eczema", "atopic dermatitis"), ("fatty liver", "nafld"), ("winter blues", "sad"),
    ("sunshine vitamin", "vitamin d"), ("25(OH)D", "vitamin d blood test"),
    ("Brustkrebs", "breast cancer"), ("Schwangerschaft", "pregnancy"), ("embarazo", "pregnancy"),
    ("sclérose en plaques", "multiple sclerosis"), ("łuszczyca", "psoriasis"),
    ("diabete", "diabetes"), ("suikerziekte", "diabetes"), ("gravidez", "pregnancy"),
    ("preemie", "preemie"), ("IVF", "in vitro fertilization"), ("teenagers", "youth"),
]  # fmt: skip


@pytest.fixture(scope="module")
def real_catalogue(archive_posts) -> TagCatalogue:
    ontology = read_for_archive(SHARED / "archive" / "posts")
    if ontology is None:
        pytest.skip("ontology not available")
    records = [record(p.slug, tuple(p.tags), p.date) for p in archive_posts.posts]
    return TagCatalogue(records, ontology)


@pytest.mark.parametrize(("name", "tag"), REAL_NAMES)
def test_real_tags_resolve_from_lay_names_symbols_and_languages(real_catalogue, name, tag):
    assert real_catalogue.resolve(name) == tag
