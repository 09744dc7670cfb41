"""Commands for writers: pull quotes, show notes, transcript and mention exports."""

from __future__ import annotations

from pathlib import Path

import click

from cxinsight.cli.common import _session, handle_errors


def _write_or_echo(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)
    click.echo(f"wrote {output}", err=True)


_OUTPUT = click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
                       help="Write to this file instead of stdout.")


@click.command()
@click.option("--episode", "episode_id", help="Only this episode id (see `cxinsight episodes`).")
@click.option("--tactic", help="Only quotes about this tactic id (see `cxinsight tactics`).")
@click.option("--speaker", help="Only quotes by someone whose name contains this.")
@click.option("--min-words", type=click.IntRange(1, 200), default=8, show_default=True, help="Shortest quote.")
@click.option("-n", "limit", type=click.IntRange(1, 1000), default=10, show_default=True, help="How many quotes.")
@click.option("-f", "--format", "fmt", type=click.Choice(["md", "json", "csv"]), default="md", show_default=True)
@_OUTPUT
@click.option("--clips", "clips_dir", type=click.Path(path_type=Path), default=None,
              help="Also cut an audio clip of each listed quote into this folder (audio episodes; see `clip`).")
@click.option("--clip-format", type=click.Choice(["mp3", "m4a", "ogg", "wav"]), default="mp3", show_default=True)
@click.pass_context
@handle_errors
def quotes(ctx, episode_id, tactic, speaker, min_words, limit, fmt, output, clips_dir, clip_format):
    """Verbatim pull quotes with speaker, organisation, episode and mm:ss, best first.

    Good quotes come first: complete sentences that stand on their own, make a
    point about a tactic, are not questions or filler, and come from guests.
    An episode with no tactic mention offers the sentences that stand best alone.

    \b
    Examples:
      cxinsight quotes --tactic hr-integration -n 5
      cxinsight quotes --episode 01-brightwater-cleanup --format csv -o quotes.csv
    """
    from cxinsight.notes.quotes import find_quotes, render_quotes

    session = _session(ctx)
    session.check_filters(tactic, episode_id)
    found = find_quotes(session.archive, episode_id, tactic, speaker, min_words)[:limit]
    if not found and fmt == "md":
        click.echo(_no_quotes_reason(session.archive, episode_id, tactic), err=True)
        return
    if found and not any(q.tactic for q in found):
        click.echo(f"Note: '{episode_id}' has no tactic mention; these are its sentences that stand best on their own.",
                   err=True)
    _write_or_echo(render_quotes(found, fmt), output)
    if clips_dir is not None:
        from cxinsight.cli.publishing import write_quote_clips

        audio = [q for q in found if _has_audio(session.archive, q.episode_id)]
        made = write_quote_clips(session.archive, audio, clips_dir, clip_format, pad=0.25,
                                 numbers=[found.index(q) + 1 for q in audio])
        skipped = len(found) - len(audio)
        note = f"; {skipped} quote{'s' if skipped != 1 else ''} from transcript-only episodes have no audio" if skipped else ""
        click.echo(f"wrote {len(made)} clips to {clips_dir}{note}", err=True)


def _no_quotes_reason(archive, episode_id: str | None, tactic: str | None) -> str:
    """Pull quotes come from tactic mentions: say so when there are none, rather than blame the filters."""
    if archive.all_mentions(episode_id=episode_id, tactic_id=tactic):
        return "No quotes match these filters (--speaker, --min-words)."
    where = f"episode '{episode_id}'" if episode_id else "the archive"
    what = f"'{tactic}'" if tactic else "any tactic"
    return (f"No quotes: {where} has no mention of {what}, and pull quotes are taken from tactic mentions. "
            "See `cxinsight tactics`; `cxinsight search` finds any passage.")


def _has_audio(archive, episode_id: str) -> bool:
    from cxinsight.sources import is_audio

    return is_audio(Path((archive.record(episode_id) or {}).get("source_path", "")))


@click.command()
@click.argument("episode_id")
@click.option("-f", "--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--llm", default=None, metavar="SPEC", help="Write the summary with an LLM (see `ask --help`).  [default: none]")
@click.option("--llm-base-url", default=None, metavar="URL", help="Server for openai:/ollama: specs.")
@_OUTPUT
@click.pass_context
@handle_errors
def shownotes(ctx, episode_id, fmt, llm, llm_base_url, output):
    """Show notes for one episode, ready to paste: summary, chapters, tactics, quotes.

    Without an LLM every sentence is verbatim from the transcript (extractive).
    With --llm the summary is generated, and each of its sentences is kept only
    if it cites transcript sentences that support it; quotes stay verbatim.
    """
    from cxinsight.llm.calls import client_for
    from cxinsight.notes.shownotes import build_shownotes, render_shownotes

    session = _session(ctx, llm=llm, llm_base_url=llm_base_url)
    session.check_filters(episode_id=episode_id)
    notes = build_shownotes(session.archive, session.embedder, session.taxonomy, episode_id,
                            client=client_for(session.settings))
    _write_or_echo(render_shownotes(notes, fmt), output)


@click.command()
@click.argument("episode_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Every tactic mention in the archive (CSV).")
@click.option("-f", "--format", "fmt", type=click.Choice(["txt", "srt", "vtt", "json", "csv"]), default=None,
              help="txt, srt, vtt or json for an episode; csv with --all.  [default: txt, or csv with --all]")
@_OUTPUT
@click.pass_context
@handle_errors
def export(ctx, episode_id, everything, fmt, output):
    """Export an episode's transcript, or all tactic mentions for a spreadsheet.

    \b
    Examples:
      cxinsight export 01-brightwater-cleanup --format srt -o ep1.srt
      cxinsight export --all --format csv -o mentions.csv
    """
    from cxinsight.notes.export import export_episode, export_mentions

    if everything == bool(episode_id):
        raise click.UsageError("name one EPISODE_ID, or use --all")
    session = _session(ctx)
    if everything:
        if fmt not in (None, "csv"):
            raise click.UsageError("--all exports CSV (mentions with quotes); use --format csv")
        _write_or_echo(export_mentions(session.archive, session.taxonomy), output)
        return
    if fmt == "csv":
        raise click.UsageError("CSV is for --all; an episode exports as txt, srt, vtt or json")
    session.check_filters(episode_id=episode_id)
    _write_or_echo(export_episode(session.archive, episode_id, fmt or "txt"), output)
    if fmt == "srt" and (session.archive.record(episode_id) or {}).get("times_estimated"):
        click.echo(f"Note: {episode_id}'s times are estimated from word counts (its source had none), and SRT "
                   "cannot say so; --format vtt or json keeps the mark", err=True)
