"""What people read: footers that count honestly, thread names without markdown escapes."""

from __future__ import annotations

from bot.exts.ask import thread_name
from bot.render import answer_embeds
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
    assert footer(Answer("q", True, hits(3), 12)) == "Posts 1–3 of 12 that matched"
    assert footer(Answer("q", True, hits(3), 1)) == "Posts 1–3; only 1 matched closely"
    assert footer(Answer("q", True, hits(3), 5), start=3) == "Posts 4–6; only 5 matched closely"
    assert footer(Answer("q", False, hits(3), 0)) == "Posts 1–3"


def test_thread_name_is_the_question_as_typed():
    name = thread_name("does *vitamin_D* help   MS?  " + "x" * 200)
    assert name.startswith("does *vitamin_D* help MS?") and "\\" not in name
    assert len(name) <= 100
    assert thread_name("   ") == "Question"
