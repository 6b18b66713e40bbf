"""Answer -> what people read: plain text (CLI, chat fallback)."""

from __future__ import annotations

from retrieval.search import Answer

NO_ANSWER = "The archive has nothing clear on that."


def answer_text(answer: Answer) -> str:
    """Plain-text reply: numbered posts with link and findings, or a plain 'nothing clear'."""
    lines: list[str] = []
    if not answer.question:
        return "Ask a question about vitamin D, e.g. “does vitamin D help MS bone loss?”"
    if not answer.confident:
        lines.append(f"{NO_ANSWER} The closest posts:")
    for n, hit in enumerate(answer.hits, 1):
        date = f" ({hit.date})" if hit.date else ""
        lines.append(f"{n}. {hit.title}{date}")
        lines.append(f"   {hit.url}")
        lines.extend(f"   - {f}" for f in hit.findings)
    if not answer.hits:
        lines.append("No posts matched.")
    return "\n".join(lines)
