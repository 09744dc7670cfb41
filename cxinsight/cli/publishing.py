"""Commands that make files for a feed and for promotion: audio clips of quotes, Podcasting 2.0 files."""

from __future__ import annotations

from pathlib import Path

import click

from cxinsight.cli.common import _emit_json, _session, handle_errors
from cxinsight.errors import UsageError


def write_quote_clips(archive, quotes, folder: Path, fmt: str, pad: float, numbers: list[int] | None = None) -> list:
    """One clip per quote into `folder`, named EPISODE-quoteNN.FMT; returns the Clips."""
    from cxinsight.notes.clips import clip_name, cut_clip, episode_audio

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    clips, episodes = [], {}
    for i, quote in enumerate(quotes):
        if quote.episode_id not in episodes:
            episodes[quote.episode_id] = archive.load_episode(quote.episode_id)[0]
        episode = episodes[quote.episode_id]
        number = numbers[i] if numbers else i + 1
        clips.append(cut_clip(episode_audio(episode, archive.record(quote.episode_id)), quote.start, quote.end, folder / clip_name(quote.episode_id, number, fmt),
                              title=f"{episode.meta.title} — {quote.speaker or 'Unknown speaker'}", speaker=quote.speaker,
                              text=quote.text, pad=pad, duration=episode.transcript.duration))
    return clips


@click.command()
@click.argument("episode_id")
@click.option("--quote", "number", type=int, default=None,
              help="The quote's number in `cxinsight quotes --episode EPISODE_ID` (1 = the first listed).")
@click.option("--start", type=float, default=None, help="Or a span: start in seconds (snapped to the words' times).")
@click.option("--end", type=float, default=None, help="End of the span in seconds.")
@click.option("-f", "--format", "fmt", type=click.Choice(["mp3", "m4a", "ogg", "wav"]), default=None,
              help="Audio format.  [default: from -o's suffix, else mp3]")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="The clip file.  [default: EPISODE-quoteNN.FMT here]")
@click.option("--pad", type=click.FloatRange(0, 5), default=0.25, show_default=True, help="Seconds kept before and after.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_context
@handle_errors
def clip(ctx, episode_id, number, start, end, fmt, output, pad, as_json):
    """Cut an audio clip of a quote from the episode's own audio (offline).

    The clip runs from the quote's first word to its last, at Whisper's word
    times, with a short pad and a fade in and out; its tags carry the episode
    title, the speaker and the quote. Audio episodes only.

    \b
    Examples:
      cxinsight clip 01-brightwater-cleanup --quote 1
      cxinsight clip 01-brightwater-cleanup --start 144 --end 152.5 -o switched-off.m4a
    """
    from cxinsight.notes.clips import clip_name, cut_clip, episode_audio
    from cxinsight.notes.quotes import find_quotes

    if (number is None) == (start is None and end is None):
        raise click.UsageError("give --quote N, or --start and --end")
    if number is None and (start is None or end is None):
        raise click.UsageError("--start and --end go together")
    fmt = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix.lstrip(".").lower() in
                  ("mp3", "m4a", "ogg", "wav") else "mp3")
    session = _session(ctx)
    session.check_filters(episode_id=episode_id)
    episode, _ = session.archive.load_episode(episode_id)
    source = episode_audio(episode, session.archive.record(episode_id))
    if number is not None:
        found = find_quotes(session.archive, episode_id=episode_id)
        if not 1 <= number <= len(found):
            raise UsageError(f"no quote {number} in {episode_id}: `cxinsight quotes --episode {episode_id}` lists "
                             f"{len(found)}")
        quote = found[number - 1]
        start, end, speaker, text = quote.start, quote.end, quote.speaker, quote.text
    else:
        start, end = _snap(episode, start, end)
        spoken = [s for s in episode.sentences if s.end > start and s.start < end]
        speaker = " & ".join(dict.fromkeys(s.speaker for s in spoken if s.speaker))  # everyone heard, in order
        text = " ".join(s.text for s in spoken)
    output = output or Path(clip_name(episode_id, number, fmt) if number else f"{episode_id}-{start:.0f}s-{end:.0f}s.{fmt}")
    if output.suffix.lower() != f".{fmt}":
        output = output.with_name(output.name + f".{fmt}")
    made = cut_clip(source, start, end, output, title=f"{episode.meta.title} — {speaker or 'Unknown speaker'}",
                    speaker=speaker, text=text, pad=pad, duration=episode.transcript.duration)
    if as_json:
        _emit_json(made.as_dict())
    else:
        click.echo(f"wrote {made.path} ({made.seconds:.1f} s: {start:.2f}-{end:.2f} s plus {pad:g} s each side)", err=True)


def _snap(episode, start: float, end: float) -> tuple[float, float]:
    """A requested span moved onto word boundaries: from the first word it touches to the last."""
    if end <= start:
        raise UsageError(f"--start ({start:g}) must be before --end ({end:g})")
    duration = episode.transcript.duration
    if start >= duration:
        raise UsageError(f"--start {start:g} is past the end of the episode ({duration:.1f} s)")
    words = [w for seg in episode.transcript.segments for w in (seg.words or [])]
    inside = [w for w in words if w.end > start and w.start < end]
    return (inside[0].start, inside[-1].end) if inside else (start, min(end, duration))


@click.command()
@click.argument("episode_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Every episode in the store, each in its own sub-folder.")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), required=True, help="Folder to write into.")
@click.option("--base-url", default="", metavar="URL",
              help="Where the files will be served; item-snippet.xml links them there (e.g. https://cdn.example.com/ep1).")
@click.option("--json", "as_json", is_flag=True, help="Print the files written as JSON.")
@click.pass_context
@handle_errors
def publish(ctx, episode_id, everything, output_dir, base_url, as_json):
    """Write the Podcasting 2.0 files a feed links to: chapters, transcripts, soundbites.

    chapters.json (JSON chapters), transcript.vtt / .srt / .json (with speakers),
    soundbites.xml (<podcast:soundbite> for the best quotes, 15-60 s of whole
    sentences), item-snippet.xml (<podcast:transcript>, <podcast:chapters>,
    <podcast:person> tags to paste into the <item>) and shownotes.md. The JSON
    files are checked against the Podcasting 2.0 schemas before writing.

    \b
    Examples:
      cxinsight publish 01-brightwater-cleanup -o site/ep1 --base-url https://example.com/ep1
      cxinsight publish --all -o site/ --base-url https://example.com
    """
    from cxinsight.notes.publish import publish_episode
    from cxinsight.util.slug import slugify

    if everything == bool(episode_id):
        raise click.UsageError("name one EPISODE_ID, or use --all")
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"{output_dir} is a file, not a folder")
    session = _session(ctx)
    if episode_id:
        session.check_filters(episode_id=episode_id)
    ids = sorted(session.archive.records()) if everything else [episode_id]
    written = {}
    for eid in ids:
        folder = output_dir / slugify(eid) if everything else output_dir
        base = f"{base_url.rstrip('/')}/{slugify(eid)}" if everything and base_url else base_url
        written[eid] = [str(p) for p in publish_episode(session.archive, session.embedder, session.taxonomy, eid,
                                                        folder, base)]
    if as_json:
        _emit_json({"episodes": [{"episode_id": eid, "files": files} for eid, files in written.items()]})
    else:
        for eid, files in written.items():
            click.echo(f"{eid}: wrote {len(files)} files to {Path(files[0]).parent}", err=True)
