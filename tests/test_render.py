"""What people read: footers that count honestly, thread names without markdown escapes, the
subject an answer lacks named once and made inert."""

from __future__ import annotations

from dataclasses import replace

from bot.exts.ask import question_text, thread_name
from bot.render import answer_embeds, answer_text, not_confident_text
from retrieval.search import Answer, Hit


def hits(n: int) -> list[Hit]:
    return [
        Hit(
            slug=f"p{i}", title=f"Post {i}", date="", tags=(), url=f"https://x/pages/p{i}/", score=1
        )
        for i in range(n)
    ]


def footer(answer: Answer, start: int = 0) -> str:
    return answer_embeds(answer, start)[-1].footer.text


def test_footer_never_counts_fewer_matches_than_posts_shown():
    note = " · Quotes from the archive, not medical advice."
    assert footer(Answer("q", True, hits(3), 12)) == "Posts 1–3 of 12 that matched" + note
    assert footer(Answer("q", True, hits(3), 1)) == "Posts 1–3; only 1 matched closely" + note
    assert footer(Answer("q", True, hits(3), 5), 3) == "Posts 4–6; only 5 matched closely" + note
    assert footer(Answer("q", False, hits(3), 0)) == "Posts 1–3" + note


def test_thread_name_is_the_question_as_typed():
    name = thread_name("does *vitamin_D* help   MS?  " + "x" * 200)
    assert name.startswith("does *vitamin_D* help MS?") and "\\" not in name
    assert len(name) <= 100
    assert thread_name("   ") == "Question"


def test_the_subject_no_post_covers_is_named_once():
    missing = ("hidradenitis", "hidradenitis suppurativa")
    text = answer_text(Answer("q", False, hits(2), 0, missing))
    assert "No post is about: hidradenitis suppurativa." in text
    assert "hidradenitis," not in text  # the word inside the longer name is not repeated
    assert "No post is about" not in answer_text(Answer("q", False, hits(2), 0))


def test_a_named_subject_in_chat_cannot_ping_or_format():
    reply = not_confident_text(Answer("q", False, hits(1), 0, ("@everyone *x*",)))
    assert "@everyone" not in reply and "*x*" not in reply
    assert "No post is about" in reply


def test_a_kind_of_study_asked_for_is_acknowledged_above_the_posts():
    shown = hits(3)
    first_rct = [replace(shown[0], evidence="rct"), *shown[1:]]
    led = answer_text(Answer("any RCTs?", True, first_rct, 3, asked_evidence=("rct",)))
    assert "Asked for: RCT. Those on the subject come first." in led.splitlines()
    none = answer_text(Answer("any RCTs?", True, shown, 3, asked_evidence=("rct",)))
    assert "Asked for: RCT. None of the closest posts is one." in none.splitlines()
    assert "Asked for" not in answer_text(Answer("q", True, shown, 3))


def test_a_question_read_with_its_spelling_put_right_says_how_it_was_read():
    answer = Answer("osteoporsis?", True, hits(2), 2, read_as="osteoporosis?")
    assert "Read as: osteoporosis?" in answer_text(answer).splitlines()
    assert "Read as" not in answer_text(Answer("q", True, hits(2), 2))


def test_a_question_in_no_language_read_here_says_which_languages_are_read():
    answer = Answer("Помогает ли витамин D?", False, hits(2), 0, unread="Cyrillic script")
    languages = "English, German, Spanish, French, Italian, Portuguese, Dutch and Polish"
    said = f"I read questions in {languages}; this one is in Cyrillic script"
    assert said in answer_text(answer) and said in not_confident_text(answer)
    assert "nothing clear" not in answer_text(answer) + not_confident_text(answer)
    plain = Answer("does it help?", False, hits(2), 0)
    assert "I read questions in" not in answer_text(plain) + not_confident_text(plain)


def test_discord_markup_is_taken_out_of_a_question():
    """Mentions, custom emoji and timestamps are ids, not words: a question keeps its words."""
    asked = "<@900> <@!901> is 5000 iu safe <:vitd:123> for <@&5> <#77> since <t:1700000000:R>?"
    assert question_text(asked) == "is 5000 iu safe for since ?"
    assert question_text("<@900>  ") == ""
    kept = "is 4,000 IU <safe> for a 2 yr old?"
    assert question_text(kept) == kept


def test_an_urgent_question_is_told_where_help_is_first():
    """In the CLI text, the chat reply above the posts, and a reply with no clear answer."""
    from bot.exts.ask import reply_for

    help_first = "If someone may have taken too much or is unwell right now, call your local"
    urgent = Answer("I took 500,000 IU by mistake", True, hits(2), 2, urgent=True)
    assert answer_text(urgent).startswith(help_first)
    assert reply_for(None, urgent, 1)["content"].startswith(help_first)  # type: ignore[arg-type]
    unsure = replace(urgent, confident=False, total=0)
    assert not_confident_text(unsure).startswith(help_first)
    calm = Answer("is 10,000 IU toxic?", True, hits(2), 2)
    assert help_first not in answer_text(calm) + not_confident_text(calm)
    assert answer_text(calm).endswith("Quotes from the archive, not medical advice.")


def test_the_first_posts_five_longest_findings_are_shown_whole_within_discords_limits():
    quote = ("Vitamin D_3 reduced *falls* by 30% " * 9)[:299] + "."
    posts = hits(3)
    posts[0] = replace(posts[0], title="T" * 300, tags=tuple(f"tag{i}" for i in range(60)))
    posts[0] = replace(posts[0], findings=[quote] * 5)
    posts[1:] = [replace(h, title="T" * 300, findings=[quote] * 2) for h in posts[1:]]
    embeds = answer_embeds(Answer("q", True, posts, 3))
    first = embeds[0].description or ""
    assert first.count("• ") == 5 and first.split("\n")[4].endswith(".")  # the fifth is whole
    assert sum(len(e) for e in embeds) <= 6000


def test_a_post_with_nothing_to_quote_says_so_in_both_replies():
    """An index page, and a post whose text has nothing quotable (a chart and links), each get a
    note in the CLI text and in the embed, never an empty entry."""
    index_page, links_only = (replace(h, findings=[]) for h in hits(2))
    index_page = replace(index_page, has_text=False)
    answer = Answer("q", True, [index_page, links_only], 2)
    text = answer_text(answer)
    assert "1. Post 0\n   https://x/pages/p0/\n   (Index page, no text" in text
    assert "2. Post 1\n   https://x/pages/p1/\n   (No key findings quoted: open the post.)" in text
    embeds = answer_embeds(answer)
    assert "Index page, no text" in embeds[0].description
    assert "No key findings quoted" in embeds[1].description


def test_amounts_in_other_units_are_restated_whether_confident_or_not():
    """'how many IU in 50 mcg?' is answered by the conversion, which no post states."""
    units = ("50 mcg = 2,000 IU",)
    unsure = Answer("how many IU in 50 mcg?", False, hits(2), 0, units=units)
    assert "In the archive's units: 50 mcg = 2,000 IU." in answer_text(unsure)
    assert "In the archive's units: 50 mcg = 2,000 IU." in not_confident_text(unsure)
    sure = replace(unsure, confident=True, total=2)
    assert "In the archive's units: 50 mcg = 2,000 IU." in answer_text(sure)
    from bot.exts.ask import reply_for

    content = reply_for(None, sure, 1)["content"]  # type: ignore[arg-type]
    assert content == "In the archive's units: 50 mcg = 2,000 IU."
    assert "In the archive's units" not in answer_text(replace(sure, units=()))
