"""The `vdwbot` command line: build indexes, ask questions, run the bot.

It calls the same retrieval functions as the Discord bot, so `vdwbot ask` shows what the bot says.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import MAX_PREVIOUS, Settings, get_settings
from bot.render import answer_text
from retrieval import store
from retrieval.embedding import BACKENDS, Embedder
from retrieval.errors import VdwError
from retrieval.evaluation import evaluate, load_questions
from retrieval.evidence import LABELS
from retrieval.feedback import FEEDBACK_FILE, FeedbackStore
from retrieval.gap_report import LOG_OFF, gap_report
from retrieval.indexer import BuildReport, Progress
from retrieval.question_log import QUESTIONS_FILE, QuestionLog
from retrieval.search import Answer
from retrieval.service import AnswerService

CHAT_HELP = "Ask a question; follow-ups keep the context. /new starts over, /quit (or Ctrl-D) ends."


class CliError(VdwError):
    """A user-facing failure of the command line itself: printed as one line, exit status 1."""


@contextmanager
def progress_bars() -> Iterator[Progress]:
    """A tqdm bar per build stage, on stderr."""
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}
    labels = {
        "chunk": "parsing + chunking", "embed": "embedding",
        "openings": "embedding openings (multilingual)", "write": "writing index",
    }  # fmt: skip

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for previous in bars.values():
                previous.close()
            bar = bars[stage] = tqdm(total=total, desc=labels.get(stage, stage), leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.close()


def make_service(
    args: argparse.Namespace, settings: Settings, *, serving: bool = False
) -> AnswerService:
    """`serving`: a long-running process (the bot, a chat), which prepares findings ahead."""
    root = args.index or settings.index
    embedder = Embedder(
        args.model or settings.model,
        backend=args.backend or settings.backend,
        cache_dir=store.onnx_cache(root),
    )
    return AnswerService(root, embedder, settings.base_url, prepare=serving)


def build(service: AnswerService, archive: Path, incremental: bool) -> BuildReport:
    with progress_bars() as progress:
        report = service.build(archive, incremental=incremental, progress=progress)
    print(report.summary(), file=sys.stderr)
    return report


def ensure_index(service: AnswerService, settings: Settings) -> None:
    """`ask` on a fresh checkout: build the demo index from seeds/ first."""
    if not store.exists(service.root):
        print(
            f"No index at {service.root}; building one from the demo archive {settings.seeds}",
            file=sys.stderr,
        )
        build(service, settings.seeds, incremental=False)


def cmd_archive(args: argparse.Namespace, settings: Settings) -> int:
    service = make_service(args, settings)
    with progress_bars() as progress:
        synced, report = service.pull_and_update(args.archive, progress)
    print(f"{synced}\n{report.summary()}", file=sys.stderr)
    return 0


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    service = make_service(args, settings)
    build(service, args.archive, incremental=args.action == "update")
    return 0


def _questions(args: argparse.Namespace) -> list[str]:
    if args.batch:
        try:
            lines = Path(args.batch).read_text("utf-8").splitlines()
        except OSError as exc:
            raise CliError(f"cannot read {args.batch}: {exc.strerror}") from None
        return [line for line in lines if line.strip()]
    if not args.question:
        raise CliError('give a question, e.g. vdwbot ask "does vitamin D help MS bone loss?"')
    return [" ".join(args.question)]


def evidence_labels(value: str) -> list[str]:
    """`--evidence rct,meta-analysis` -> the labels, each checked."""
    labels = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [v for v in labels if v not in LABELS]
    if unknown or not labels:
        raise argparse.ArgumentTypeError(
            f"unknown study type {', '.join(unknown) or value!r}; choose from {', '.join(LABELS)}"
        )
    return labels


def at_least_one(value: str) -> int:
    """A count of posts, entries or days: a whole number of 1 or more (-k 0 answered "No posts
    matched", which was not so)."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {count}")
    return count


def show(answer: Answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
    else:
        print(answer_text(answer), flush=True)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    questions = _questions(args)
    if args.after and args.batch:
        raise CliError("--after goes with one follow-up question, not with --batch")
    service = make_service(args, settings)
    ensure_index(service, settings)
    for question in questions:
        answer = service.ask(
            question,
            k=args.k,
            previous=args.after or (),
            evidence=args.evidence,
            newest=args.newest,
        )
        show(answer, args.json)
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """A conversation on stdin: each question is asked with the earlier ones, until /new."""
    service = make_service(args, settings, serving=True)
    ensure_index(service, settings)
    interactive = sys.stdin.isatty()
    if interactive:
        print(CHAT_HELP, file=sys.stderr)
    earlier: list[str] = []
    while True:
        if interactive:
            print("? ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line or line.strip() == "/quit":
            return 0
        question = line.strip()
        if question == "/new":
            earlier.clear()
            print("(new conversation)", file=sys.stderr)
        elif question:
            answer = service.ask(question, k=args.k, previous=earlier[-MAX_PREVIOUS:])
            show(answer, args.json)
            if not answer.empty:  # "thanks!" is no question a follow-up is read after
                earlier.append(question)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    root = args.index or settings.index
    if not (root / QUESTIONS_FILE).exists() and not (root / FEEDBACK_FILE).exists():
        raise CliError(
            f"no question log or feedback in {root}: the bot keeps them beside its index"
        )
    questions = QuestionLog(root / QUESTIONS_FILE, settings.question_log_days)
    feedback = FeedbackStore(root / FEEDBACK_FILE)
    titles: dict[str, str] = {}
    if store.exists(root):
        titles = {p.slug: p.title for p in store.load(root).posts}
    report = gap_report(questions, feedback, args.days, titles)
    if not questions.enabled:
        print(LOG_OFF)
    print(report.text(limit=args.limit))
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as out:
            report.write_csv(out)
        print(f"all entries written to {args.csv}", file=sys.stderr)
    return 0


def cmd_tags(args: argparse.Namespace, settings: Settings) -> int:
    service = make_service(args, settings)
    ensure_index(service, settings)
    matches = service.searcher().tags.match(" ".join(args.query), limit=args.limit)
    if args.json:
        tags = [{"tag": m.tag, "posts": m.posts} for m in matches]
        print(json.dumps({"query": " ".join(args.query), "tags": tags}, ensure_ascii=False))
    else:
        print("\n".join(f"{m.tag} ({m.posts} posts)" for m in matches) or "No matching tags.")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    import aiohttp
    import discord

    from bot.app import VdwBot, point_at

    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise CliError("DISCORD_TOKEN is not set: put it in the environment or in .env")
    logging.getLogger().setLevel(logging.INFO)
    service = make_service(args, settings, serving=True)
    ensure_index(service, settings)
    point_at(settings.discord_api_base, settings.discord_gateway)

    async def run() -> None:
        async with VdwBot(settings, service) as bot:
            await bot.start(token)

    try:
        asyncio.run(run())
    except discord.LoginFailure:
        raise CliError("Discord rejected DISCORD_TOKEN: copy the bot token again") from None
    except (discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError, OSError) as exc:
        raise CliError(f"cannot reach Discord: {type(exc).__name__}: {exc}") from None
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    questions = load_questions(args.questions)
    service = make_service(args, settings)
    summary, rows = evaluate(questions, lambda q, k, prev: service.ask(q, k=k, previous=prev))
    if args.details:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    if args.json:
        print(json.dumps(summary))
    else:
        print(format_summary(summary))
    return 0


def format_summary(s: dict) -> str:
    lines = [
        f"{s['questions']} questions ({s['answerable']} answerable) in {s['seconds']} s",
        f"nDCG@10 {s['ndcg10']:.3f}  MRR {s['mrr']:.3f}  hit@1 {s['hit1']:.3f}  "
        f"hit@3 {s['hit3']:.3f}  recall@5 {s['recall5']:.3f}",
        f"answer facts in findings {s['facts_in_findings']:.3f}; lead from an answering post "
        f"{s['lead_answers']:.3f}; answerable confident "
        f"{s['answerable_confident']:.3f}; no-answer questions not confident "
        f"{s['no_answer']['not_confident']:.3f} of {s['no_answer']['questions']}",
    ]
    for kind, v in s["by_kind"].items():
        if v["answerable"]:
            lines.append(
                f"  {kind:<14} n={v['answerable']:<3} hit@3 {v['hit3']:.3f}  "
                f"nDCG@10 {v['ndcg10']:.3f}  confident {v['answerable_confident']:.3f}"
            )
        else:
            na = v["no_answer"]
            n, rate = na["questions"], na["not_confident"]
            lines.append(f"  {kind:<14} n={n:<3} not confident {rate:.3f}")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vdwbot", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--index", type=Path, help="index folder (default: VDWBOT_INDEX)")
        sp.add_argument("--model", help="sentence-transformers model path or name")
        sp.add_argument("--backend", choices=BACKENDS, help="onnx (default), onnx-int8 or torch")

    idx = sub.add_parser("index", help="build or update an index")
    idx.add_argument("action", choices=["build", "update"])
    idx.add_argument("--archive", type=Path, required=True, help="folder of post .md files")
    common(idx)
    idx.set_defaults(func=cmd_index)

    arc = sub.add_parser("archive", help="sync the archive's git checkout, then update")
    arc.add_argument("action", choices=["pull"])
    arc.add_argument("--archive", type=Path, required=True, help="git checkout of the posts")
    common(arc)
    arc.set_defaults(func=cmd_archive)

    ask = sub.add_parser("ask", help="answer a question from the archive")
    ask.add_argument("question", nargs="*")
    ask.add_argument("-k", type=at_least_one, default=3, help="number of posts (default 3)")
    ask.add_argument("--json", action="store_true", help="JSON output")
    ask.add_argument("--batch", type=Path, help="file with one question per line")
    ask.add_argument(
        "--evidence",
        type=evidence_labels,
        help=f"only posts of these study types, comma-separated: {', '.join(LABELS)}",
    )
    ask.add_argument("--newest", action="store_true", help="matching posts newest first")
    ask.add_argument(
        "--after",
        action="append",
        metavar="PREVIOUS",
        help="an earlier question of the conversation (repeat, oldest first)",
    )
    common(ask)
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="a conversation: follow-ups keep the context (/new)")
    chat.add_argument("-k", type=at_least_one, default=3, help="number of posts (default 3)")
    chat.add_argument("--json", action="store_true", help="JSON output")
    common(chat)
    chat.set_defaults(func=cmd_chat)

    rep = sub.add_parser("report", help="the gap report: unanswered questions, 👎, topics")
    rep.add_argument("--days", type=at_least_one, default=7, help="how many days back (default 7)")
    rep.add_argument("--limit", type=at_least_one, default=20, help="entries per section shown")
    rep.add_argument("--csv", type=Path, help="also write every entry to this CSV file")
    rep.add_argument("--index", type=Path, help="index folder (default: VDWBOT_INDEX)")
    rep.set_defaults(func=cmd_report)

    tg = sub.add_parser("tags", help="best-matching tags for a name (fuzzy)")
    tg.add_argument("query", nargs="*")
    tg.add_argument("--limit", type=at_least_one, default=10)
    tg.add_argument("--json", action="store_true")
    common(tg)
    tg.set_defaults(func=cmd_tags)

    run = sub.add_parser("run", help="start the Discord bot (needs DISCORD_TOKEN)")
    common(run)
    run.set_defaults(func=cmd_run)

    ev = sub.add_parser("eval", help="retrieval quality metrics for a question file")
    ev.add_argument("--questions", type=Path, required=True, help="JSON question file")
    ev.add_argument("--json", action="store_true", help="print the summary as JSON")
    ev.add_argument("--details", action="store_true", help="one JSON line per question first")
    common(ev)
    ev.set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        return args.func(args, get_settings())
    except (VdwError, FileNotFoundError) as exc:
        print(f"vdwbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
