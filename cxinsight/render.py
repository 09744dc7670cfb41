"""Human-readable output. JSON output is plain json.dumps of the contract, done in the CLI."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cxinsight.clock import clock

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def span(item) -> str:
    """mm:ss–mm:ss; "~… (estimated)" when the source had no timestamps and times come from word counts."""
    text = f"{clock(item.start)}–{clock(item.end)}"
    return f"~{text} (estimated)" if item.times_estimated else text


def answer(result) -> None:
    console.print(f"[bold]Q:[/bold] {escape(result.question)}\n")
    if result.refused:
        console.print(f"[yellow]{escape(result.answer)}[/yellow]")
        return
    console.print(escape(result.answer))
    console.print("\n[bold]Citations[/bold]")
    for c in result.citations:
        where = span(c)
        link = f"  {c.url}" if c.url else ""
        console.print(f"[cyan][{c.n}][/cyan] {escape(c.title)} — {escape(c.speaker or 'Unknown')}, {where}{link}")
        console.print(f'    "{escape(c.quote)}"', style="dim")


def search_hits(query: str, hits) -> None:
    if not hits:
        console.print(f"No passages match {query!r}.")
        return
    for i, h in enumerate(hits, start=1):
        tactics = f"  [magenta]{', '.join(h.tactics)}[/magenta]" if h.tactics else ""
        console.print(
            f"[cyan]{i:>2}.[/cyan] [bold]{escape(h.title)}[/bold] ({h.episode_id}) — {escape(h.speaker or 'Unknown')}, "
            f"{span(h)}  relevance {h.similarity:.2f}{tactics}"
        )
        console.print(f"    {escape(h.text)}", style="dim")


def tactics_table(rows: list[dict]) -> None:
    table = Table(title="Tactics across the archive", show_lines=False)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("tactic", overflow="fold")
    table.add_column("mentions", justify="right")
    table.add_column("episodes", justify="right")
    table.add_column("speakers")
    for r in rows:
        speakers = ", ".join(r["speakers"][:2]) + (f" +{len(r['speakers']) - 2}" if len(r["speakers"]) > 2 else "")
        table.add_row(r["id"], r["name"], str(r["mentions"]), str(len(r["episodes"])), speakers)
    console.print(table)


def episodes_table(rows: list[dict]) -> None:
    if not rows:
        console.print("No episodes indexed yet. Run `cxinsight ingest PATH`.")
        return
    table = Table(title=f"{len(rows)} episodes indexed")
    table.add_column("episode id", style="cyan", no_wrap=True)
    table.add_column("title")
    table.add_column("guest")
    table.add_column("length", justify="right")
    table.add_column("mentions", justify="right")
    for r in rows:
        length = clock(r["duration"]) + ("~" if r["times_estimated"] else "")
        guest = r["guest"] + (f" ({r['organisation']})" if r["organisation"] else "")
        table.add_row(r["episode_id"], r["title"], guest, length, str(r["mentions"]))
    console.print(table)
    if any(r["times_estimated"] for r in rows):
        console.print("~ times estimated from word counts (the source had no timestamps)", style="dim")


def ingest_summary(report) -> None:
    table = Table(title="Ingest summary")
    table.add_column("status", no_wrap=True)
    table.add_column("file", overflow="fold")
    table.add_column("detail", overflow="fold")
    style = {"indexed": "green", "skipped": "dim", "failed": "red"}
    for o in report.outcomes:
        detail = o.detail.removeprefix(f"{o.path}: ")  # the file is already in its own column
        table.add_row(f"[{style[o.status]}]{o.status}[/]", escape(o.path), escape(detail))
    console.print(table)
    console.print(
        f"{report.count('indexed')} indexed, {report.count('skipped')} skipped, {report.count('failed')} failed"
    )


def batch_status(batch: dict | None) -> None:
    if batch is None:
        console.print("No ingest batch has run on this store yet.")
        return
    import time

    items = batch["items"]
    counts = {s: sum(1 for i in items if i["status"] == s) for s in ("indexed", "skipped", "failed", "pending")}
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(batch["started"]))
    state = "finished" if batch["finished"] else "interrupted or still running"
    table = Table(title=f"Last batch {batch['batch']} ({started}, {state})")
    table.add_column("status", no_wrap=True)
    table.add_column("source", overflow="fold")
    table.add_column("episode", overflow="fold")
    table.add_column("detail", overflow="fold")
    style = {"indexed": "green", "skipped": "dim", "failed": "red", "pending": "yellow"}
    for i in items:
        table.add_row(f"[{style.get(i['status'], '')}]{i['status']}[/]", escape(i["source"]), escape(i["episode_id"] or ""),
                      escape((i["detail"] or "").removeprefix(f"{i['source']}: ")))
    console.print(table)
    done = counts["indexed"] + counts["skipped"]
    console.print(f"{done} done ({counts['indexed']} indexed, {counts['skipped']} skipped), {counts['failed']} failed, "
                  f"{counts['pending']} pending")
    if counts["pending"]:
        console.print(f"Resume with: cxinsight ingest {escape(batch['sources'])}")
