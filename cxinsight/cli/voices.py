"""`cxinsight speakers`: who speaks in an episode, and fixing a name without re-transcribing."""

from __future__ import annotations

import click

from cxinsight.cli.common import _emit_json, _session, _settings, handle_errors
from cxinsight.errors import UsageError


@click.command()
@click.argument("episode_id")
@click.option("--rename", "renames", multiple=True, metavar='"OLD=NEW"',
              help='Rename a voice, e.g. --rename "Speaker 3=Jane Doe" (repeatable). Kept for later re-ingests.')
@click.option("--json", "as_json", is_flag=True, help="Print the voices as JSON.")
@click.pass_context
@handle_errors
def speakers(ctx, episode_id, renames, as_json):
    """List an episode's voices with talk time and a sample line; rename them.

    Audio is diarized when it is ingested: voices are named from the episode's
    host and guest (sidecar, manifest or feed), and any further voice is
    "Speaker N". A rename rewrites the stored episode at once (its quotes,
    citations and exports then carry the new name) and is remembered, so a
    later re-ingest of the same episode keeps it. Nothing is re-transcribed.

    \b
    Examples:
      cxinsight speakers 01-brightwater-cleanup
      cxinsight speakers 01-brightwater-cleanup --rename "Speaker 3=Jane Doe"
    """
    from cxinsight.notes.speakers import speakers_of
    from cxinsight.transcribe.voices import parse_rename

    pairs = []
    for text in renames:
        try:
            pairs.append(parse_rename(text))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--rename") from None
    if pairs:
        episode = _rename(ctx, episode_id, pairs)
    else:
        session = _session(ctx)
        session.check_filters(episode_id=episode_id)
        episode, _ = session.archive.load_episode(episode_id)
    voices = speakers_of(episode)
    if as_json:
        _emit_json({"episode_id": episode_id, "speakers": [v.as_dict() for v in voices]})
        return
    if not voices:
        click.echo(f"{episode_id}: no speaker labels (an unlabelled transcript, or audio ingested with --no-diarize)")
        return
    from cxinsight.util.clock import clock

    click.echo(f"{episode_id}: {len(voices)} voice{'s' if len(voices) != 1 else ''}")
    for v in voices:
        role = f" ({v.role})" if v.role else ""
        click.echo(f"  {v.name}{role}: {clock(v.seconds)} ({v.share:.0%}), {v.sentences} sentence{'s' if v.sentences != 1 else ''}")
        if v.sample:
            click.echo(f"      [{clock(v.sample_start)}] \"{v.sample}\"")


def _rename(ctx, episode_id: str, pairs: list[tuple[str, str]]):
    """Apply the renames to the stored episode under the writer lock, and remember them."""
    from cxinsight.embed import MODEL_NAME, get_embedder
    from cxinsight.notes.speakers import rename_in_episode
    from cxinsight.store.archive import Archive
    from cxinsight.store.lock import writer_lock
    from cxinsight.store.renames import add_rename
    from cxinsight.store.rewrite import rewrite_episode

    settings = _settings(ctx)
    with writer_lock(settings.store, notify=lambda msg: click.echo(msg, err=True), chroma_url=settings.chroma_url):
        archive = Archive(settings.store, MODEL_NAME, chroma_url=settings.chroma_url, access="write")
        try:
            try:
                episode, mentions = archive.load_episode(episode_id)
            except KeyError:
                raise UsageError(f"unknown episode '{episode_id}'; see `cxinsight episodes`") from None
            for old, new in pairs:
                try:
                    episode = rename_in_episode(episode, old, new)
                except KeyError:
                    names = sorted({s.speaker for s in episode.sentences if s.speaker})
                    raise UsageError(f"no speaker '{old}' in {episode_id} (speakers: {', '.join(names) or 'none'})") from None
            rewrite_episode(archive, get_embedder(), episode, mentions)
            for old, new in pairs:
                add_rename(settings.store, episode_id, old, new)
        finally:
            archive.close()
    for old, new in pairs:
        click.echo(f"renamed {old} -> {new} in {episode_id}", err=True)
    return episode
