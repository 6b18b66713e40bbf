"""Markdown cleanup: shortcodes, HTML and entities go; text, links, tables, lists and bold stay."""

from __future__ import annotations

import re

import pytest

from retrieval.markdown import clean_text, to_sections

LEFTOVER_RE = re.compile(
    r"\{\{[<%]|[<%]\}\}|</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>|&[A-Za-z]+;|&#\d+;"
    r"|\{[A-Z]{2,}[(}]|\{(?:img|module|redirect|mediaplayer) |~~#|%%%|~hs~|\(\([^()]*\)\)"
)
"""Markup that must not reach the text: shortcodes, tags, entities, and the wiki's own plugins,
colours, links and breaks."""


def all_text(body: str) -> str:
    return "\n".join(line for s in to_sections(body) for line in [s.heading, *s.lines])


def test_headings_become_sections():
    sections = to_sections("Intro line.\n\n# First\n\nOne.\n\n## Second part\n\nTwo.")
    assert [(s.heading, s.lines) for s in sections] == [
        ("", ["Intro line."]),
        ("First", ["One."]),
        ("Second part", ["Two."]),
    ]


def test_shortcodes_html_and_entities_removed():
    body = (
        "{{< toc >}}\n\nMean <span>[25(OH)D]</span> rose&nbsp;to 123 nmol/L &amp; more.\n\n"
        '<div>\n<p style="x">Abstract: inside html</p>\n</div>\n\n5 &lt; 10 &mdash; ok'
    )
    text = all_text(body)
    assert "toc" not in text and "span" not in text and "&" not in text.replace("& more", "")
    assert "Mean [25(OH)D] rose to 123 nmol/L & more." in text
    assert "Abstract: inside html" in text
    assert "5 < 10 — ok" in text
    assert not LEFTOVER_RE.search(text)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("Zhang, M.D.{ANAME()}bcor1{ANAME} and Lee", "Zhang, M.D. and Lee"),
        ("density.{FOOTNOTE()}Holick MF. N Engl J Med.{FOOTNOTE} Falls", "density. Falls"),
        ("Oral vitamin D{SUB()}3{SUB} at 925 IU/d", "Oral vitamin D3 at 925 IU/d"),
        ('{FONT(size="17")}Download the PDF{FONT} here', "Download the PDF here"),
        ('Before {module module="last_blog_posts"} after {img fileId="26"}', "Before after"),
        ("Risk of ~~#00F:hip fracture~~ fell", "Risk of hip fracture fell"),
        ("Lost: ~~#009:", "Lost:"),
        ("See ((Depression | Depression care)) or ((Asthma)).", "See Depression care or Asthma."),
        ("From [https://example.org/a?b=1|MD Edge] today", "From MD Edge today"),
        ("RESULTS:: Fewer falls", "RESULTS: Fewer falls"),
        ("Rickets [__14 X __more likely] if dark", "Rickets [14 X more likely] if dark"),
        ("hypo===natrae===mia at ===high=== doses", "hyponatraemia at high doses"),
        ("-=A few items from the study=- Figure 3", "A few items from the study Figure 3"),
        ("Prose braces {range, 19–279 nmol/L} stay", "Prose braces {range, 19–279 nmol/L} stay"),
    ],
)  # fmt: skip
def test_wiki_markup_becomes_the_text_it_shows(body: str, text: str):
    """The wiki's plugins, colours and links: their text stays, anchors, footnotes and images go."""
    assert all_text(body).strip() == text
    assert not LEFTOVER_RE.search(all_text(body))


def test_word_html_split_over_blank_lines_is_not_read_as_text():
    body = (
        "<p class=MsoNormal><span class=GramE><span style='font-family:Symbol;\n\n"
        'mso-ascii-font-family:"Times New Roman"\'>·</span><span\n\n'
        "style='mso-spacerun:yes'>  </span></span>Vitamin D and Cancer Mortality</p>\n\n"
        "<!--[if gte mso 9]><xml>\n\n<w:View>Normal</w:View>\n\n</xml><![endif]-->\n\n"
        "Levels rose to 40 ng/ml in the treated group."
    )
    text = all_text(body)
    assert "mso" not in text and "font-family" not in text and "Normal" not in text
    assert "Vitamin D and Cancer Mortality" in text
    assert "Levels rose to 40 ng/ml in the treated group." in text
    # a comparison is no tag, on one line or across lines
    assert "levels < 20 and > 10 ng/ml" in all_text("levels < 20 and > 10 ng/ml")


def test_links_keep_text_and_images_go():
    text = all_text("See [the overview](/posts/overview) and ![img](/x.png) here.")
    assert text.strip() == "See the overview and here."


def test_lists_and_tables_read_as_lines():
    body = "* first item\n* second item\n\n| Dose | Level |\n| --- | --- |\n| 1000 IU | 30 ng |\n"
    lines = to_sections(body)[0].lines
    assert lines == ["- first item", "- second item", "Dose | Level", "1000 IU | 30 ng"]


def test_html_table_cells_are_separated():
    body = "<table><tr><td>Dose</td><td>4000 IU</td></tr></table>"
    assert to_sections(body)[0].lines == ["Dose | 4000 IU"]


def test_bold_spans_are_remembered():
    body = (
        "Randomised to **20,000 IU vitamin D(3) once a week** for 96 weeks.\n\n"
        "<p><strong>Bold in HTML block result</strong></p>"
    )
    bold = to_sections(body)[0].bold
    assert "20,000 IU vitamin D(3) once a week" in bold
    assert "Bold in HTML block result" in bold


def test_reference_sections_are_marked_boilerplate():
    sections = to_sections(
        "Text.\n\n## References\n\n1. Smith J. 2010.\n\n# See also VitaminDWiki\n\n* x"
    )
    assert [s.boilerplate for s in sections] == [False, True, True]


def test_clean_text_removes_invisible_characters():
    assert clean_text("a\u200bb\u00a0 c &nbsp; d") == "ab c d"


@pytest.mark.slow  # converts all 2,467 real posts
def test_no_markup_left_in_any_real_post(archive_posts):
    bad = []
    for post in archive_posts.posts:
        for section in to_sections(post.body):
            for line in [section.heading, *section.lines, *section.bold]:
                m = LEFTOVER_RE.search(line)
                if m:
                    bad.append((post.slug, m.group(0), line[:120]))
    assert bad == []


def test_boilerplate_lines_are_recognised_and_content_is_not():
    from retrieval.junk import is_reference_line

    for line in [
        "Steffensen LH, Jørgensen L, Straume B, Mellgren SI, Kampman MT.",
        "Department of Neurology, University Hospital of North Norway, Tromsø, Norway.",
        "Eur J Endocrinol. 2013 Oct 1;169(5):597-604. doi: 10.1530/EJE-13-0068.",
        "J Neurol. 2011 Mar 13.",
        "PMID: 21400196",
    ]:
        assert is_reference_line(line), line
    for line in [
        "Supplementation with 20,000 IU vitamin D(3) a week did not prevent bone loss.",
        "University researchers found that vitamin D helps",
        "In 2013 a trial (n=20) showed 12(3) effects",
    ]:
        assert not is_reference_line(line), line
