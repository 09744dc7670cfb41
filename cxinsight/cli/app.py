"""The cxinsight command line: parse, call one function, print. Heavy imports stay inside commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cxinsight import __version__
from cxinsight.cli.common import (
    _emit_json,
    _llm_options,
    _session,
    _settings,
    handle_errors,
    quick_exit,
    stdout_to_stderr,
)
from cxinsight.errors import EXIT_PARTIAL, EXIT_USAGE

EPILOG = """\b
Examples:
  cxinsight ingest corpus/episodes corpus/audio
  cxinsight transcribe interview.mp3 --format srt
  cxinsight ask "How do CX leaders get middle managers on board?"
  cxinsight search "legacy surveys" --tactic cleanup-and-catch-up
  cxinsight tactics --chart tactics.png
  cxinsight quotes --tactic middle-manager-coaching -n 5
  cxinsight shownotes 01-brightwater-cleanup > notes.md
"""


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cxinsight")
@click.option("--store", type=click.Path(path_type=Path), envvar="CXINSIGHT_STORE", default=None,
              help="Store folder.  [env: CXINSIGHT_STORE; default: ./.cxinsight]")
@click.option("--chroma-url", envvar="CXINSIGHT_CHROMA_URL", default=None, metavar="URL",
              help="Use a shared Chroma server (e.g. http://chroma.internal:8000) instead of the embedded store; "
                   "--store then holds only local caches.  [env: CXINSIGHT_CHROMA_URL]")
@click.option("--taxonomy", type=click.Path(path_type=Path), envvar="CXINSIGHT_TAXONOMY", default=None,
              help="Tactic taxonomy YAML.  [default: prompts/tactics.yaml]")
@click.option("--preset", type=click.Choice(["default", "thorough", "fast"]), default="default", show_default=True,
              help="Named settings preset: retrieval depth, Whisper model and beam.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx, store, chroma_url, taxonomy, preset, verbose):
    """Turn customer-experience leader interviews into searchable, citable insight.

    Ingest transcripts, then search them, ask questions answered with verbatim,
    timestamped citations, and see which CX tactics leaders discuss.
    """
    ctx.ensure_object(dict)
    ctx.obj.update(store=store, chroma_url=chroma_url, taxonomy=taxonomy, preset=preset, verbose=verbose)


class SpeakerCount(click.ParamType):
    """--speakers: "auto" (0) or a number of voices."""

    name = "auto|N"

    def convert(self, value, param, ctx):
        if isinstance(value, int) or str(value).strip().lower() == "auto":
            return 0 if not isinstance(value, int) else value
        try:
            count = int(value)
        except ValueError:
            self.fail(f"'{value}' is not 'auto' or a number of speakers", param, ctx)
        if not 1 <= count <= 20:
            self.fail(f"{count} is not between 1 and 20", param, ctx)
        return count


def _voice_flags(speakers, no_diarize) -> dict:
    return {"speakers": speakers, "diarize": False if no_diarize else None}


def _whisper_options(command):
    """Transcription flags shared by `ingest` and `transcribe`; unset flags fall back to settings."""
    options = [
        click.option("--engine", type=click.Choice(["auto", "faster-whisper", "openai-whisper"]), default=None,
                     help="Whisper engine; auto = faster-whisper when installed.  [env: CXINSIGHT_ENGINE; default: auto]"),
        click.option("--model", "whisper_model", default=None, metavar="NAME|PATH",
                     help="Bundled tiny.en or base, a CTranslate2 folder, or an openai-whisper .pt.  [default: tiny.en]"),
        click.option("--compute-type", type=click.Choice(["int8", "float32"]), default=None,
                     help="faster-whisper weights on CPU.  [default: int8]"),
        click.option("--beam-size", type=click.IntRange(1, 20), default=None, help="Beam width; 1 = greedy.  [default: 5]"),
        click.option("--batch-size", type=click.IntRange(1, 64), default=None,
                     help="faster-whisper: 30-second windows decoded at once (about 2x faster); 1 = in order, "
                          "each conditioned on the text before it.  [default: 8]"),
        click.option("--language", default=None, help="Spoken language code (e.g. en); default: detect (English for *.en models)."),
        click.option("--speakers", type=SpeakerCount(), default=None, metavar="auto|N",
                     help="Voices in the audio: auto finds them, N forces a count (1-20).  [default: auto]"),
        click.option("--no-diarize", is_flag=True, default=None,
                     help="Do not label who speaks when (audio quotes then read 'Unknown speaker')."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--manifest", "manifests", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="YAML or CSV: one episode per row (path or http/https URL, title, show, guest, organisation, date, url).")
@click.option("--feed", "feeds", multiple=True, metavar="URL|FILE",
              help="RSS/Atom podcast feed: enclosures are downloaded; a <podcast:transcript> is used instead of transcribing.")
@click.option("--workers", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Episodes prepared in parallel processes (each loads the models once).")
@click.option("--max-download-mb", type=click.IntRange(1, 100_000), default=None,
              help="Largest enclosure to download.  [default: 1024]")
@click.option("--max-download-minutes", type=click.FloatRange(0.01, 24 * 60), default=None,
              help="Longest time one download may take; a stopped download resumes on the next run.  [default: 30]")
@_whisper_options
@_llm_options
@click.option("--executor", type=click.Choice(["local", "ray"]), default=None,
              help="Where transcription and extraction run: here, or as Ray tasks (pip install 'cxinsight[ray]').  "
                   "[default: local]")
@click.option("--ray-address", default=None, metavar="ADDR",
              help="Ray cluster to use with --executor ray (e.g. ray://head:10001); default: a private local instance.")
@click.option("--force", is_flag=True, help="Re-index episodes even when their content is unchanged.")
@click.option("--json", "as_json", is_flag=True, help="Print the per-file outcome as JSON.")
@click.pass_context
@handle_errors
def ingest(ctx, paths, manifests, feeds, workers, max_download_mb, max_download_minutes, engine, whisper_model, compute_type, beam_size, batch_size,
           language, speakers, no_diarize, llm, llm_base_url, executor, ray_address, force, as_json):
    """Index episodes from files, folders, manifests or podcast feeds.

    Transcripts: .txt, .srt, .vtt, .sbv, .json, .json3, .html, .md, .docx (Otter, Rev,
    Descript, Zoom and Meet exports and AssemblyAI, Deepgram, Rev.ai and Amazon
    Transcribe JSON included: their speaker and time headers are read). Audio and video (.wav .mp3 .m4a .flac
    .ogg .opus .mp4 .mkv .webm .mov) are transcribed with Whisper first, offline,
    with word timestamps; the model loads once per batch and transcripts are kept
    in the store, so a re-run never transcribes the same audio twice. Voices are
    told apart (--speakers auto|N, --no-diarize) and named from the metadata's
    host and guest; `cxinsight speakers EPISODE` lists and renames them.

    Folders are searched recursively. Metadata comes from a sidecar NAME.yaml
    (title, show, guest, organisation, date, url), a manifest row or the feed.
    Episodes already indexed with the same content are skipped, so re-running an
    interrupted batch resumes it; `cxinsight status` shows where a batch stands.
    An episode labelled under another taxonomy or head file is labelled again
    (its audio is not transcribed again); --force redoes everything.
    A bad item is reported in one line and the rest of the batch goes on.

    \b
    Examples:
      cxinsight ingest corpus/episodes corpus/audio
      cxinsight ingest --manifest season2.csv --workers 2
      cxinsight ingest shows/ --executor ray --ray-address ray://head:10001 --workers 8
      cxinsight ingest --feed https://example.com/podcast.xml
    """
    from cxinsight.cli.progress import IngestProgress
    from cxinsight.ingest.batch import ingest as run_ingest
    from cxinsight.sources.collect import collect_items
    from cxinsight.sources.discover import passed_over
    from cxinsight.store.lock import writer_lock

    if not (paths or manifests or feeds):
        raise click.UsageError("name at least one file or folder, --manifest or --feed to ingest")
    settings = _settings(ctx, engine=engine, whisper_model=whisper_model, compute_type=compute_type,
                         beam_size=beam_size, batch_size=batch_size, language=language, max_download_mb=max_download_mb,
                         max_download_minutes=max_download_minutes, llm=llm, executor=executor, ray_address=ray_address,
                         llm_base_url=llm_base_url, **_voice_flags(speakers, no_diarize))
    progress = IngestProgress(enabled=not as_json)
    with writer_lock(settings.store, notify=lambda msg: click.echo(msg, err=True), chroma_url=settings.chroma_url,
                     lease_seconds=settings.lease_seconds) as lease, \
            progress, stdout_to_stderr(as_json):
        items, described = collect_items(list(paths), list(manifests), list(feeds), settings)
        skipped = passed_over(list(paths))
        if skipped and not as_json:
            names = ", ".join(p.name for p in skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
            click.echo(f"ingest: passed over {len(skipped)} file(s) that are not transcripts, audio or metadata: {names}",
                       err=True)
        report = run_ingest(items, settings, force=force, workers=workers, on_start=progress.start,
                            on_done=progress.done, on_audio=progress.audio, sources=described, lease=lease)
    if as_json:
        _emit_json({"outcomes": [o.__dict__ for o in report.outcomes], "passed_over": [str(p) for p in skipped]})
    else:
        from cxinsight.cli import render

        if not report.outcomes:
            click.echo("Nothing to ingest in the paths given.", err=True)
        else:
            render.ingest_summary(report)
        for failure in report.failed:
            click.echo(f"Error: {failure.detail}", err=True)
    if report.failed or not report.outcomes:
        ctx.exit(EXIT_PARTIAL)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handle_errors
def status(ctx, as_json):
    """Where the last ingest batch stands: done, skipped, failed (with reasons), pending.

    An interrupted batch (Ctrl-C, kill, power cut) leaves its unfinished items
    pending; run the same `cxinsight ingest` again to resume.
    """
    from cxinsight.store.batchlog import last_batch

    batch = last_batch(_settings(ctx).store)
    if as_json:
        _emit_json(batch or {"batch": None, "items": []})
        return
    from cxinsight.cli import render

    render.batch_status(batch)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["txt", "srt", "vtt", "json"]), default="txt", show_default=True,
              help="Output format; every one of them can be ingested again.")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write NAME.FORMAT files here.  [default: stdout for one file, else the current folder]")
@_whisper_options
@click.pass_context
@handle_errors
def transcribe(ctx, paths, fmt, output_dir, engine, whisper_model, compute_type, beam_size, batch_size, language,
               speakers, no_diarize):
    """Transcribe audio or video files with Whisper (offline), without indexing them.

    \b
    Examples:
      cxinsight transcribe interview.mp3 --format srt > interview.srt
      cxinsight transcribe episodes/*.m4a -o transcripts/ --format vtt
      cxinsight transcribe talk.mp4 --engine openai-whisper --model base
    """
    from cxinsight.cli.progress import IngestProgress
    from cxinsight.ingest.transcribe_only import transcribe_files

    settings = _settings(ctx, engine=engine, whisper_model=whisper_model, compute_type=compute_type,
                         beam_size=beam_size, batch_size=batch_size, language=language,
                         **_voice_flags(speakers, no_diarize))
    if output_dir is None and len(paths) > 1:
        output_dir = Path(".")
    with IngestProgress() as progress:
        outcomes = transcribe_files(list(paths), settings, fmt, output_dir, on_audio=progress.audio)
    for outcome in outcomes:
        if outcome.text:
            click.echo(outcome.text, nl=False)
        if outcome.status == "failed":
            click.echo(f"Error: {outcome.detail}", err=True)
        elif outcome.status == "silent":
            click.echo(f"Warning: {outcome.path}: {outcome.detail}; wrote an empty transcript", err=True)
        else:
            if outcome.detail:
                click.echo(f"Warning: {outcome.path}: {outcome.detail}", err=True)
            if outcome.output != "-":
                click.echo(f"wrote {outcome.output}", err=True)
    if any(o.status != "written" for o in outcomes):
        ctx.exit(EXIT_PARTIAL)


def _filters(command):
    command = click.option("--tactic", help="Only passages tagged with this tactic id (see `cxinsight tactics`).")(command)
    command = click.option("--episode", "episode_id", help="Only this episode id (see `cxinsight episodes`).")(command)
    return click.option("-k", "k", type=click.IntRange(1, 100), default=None, help="How many passages.  [default: 5]")(command)


@cli.command()
@click.argument("query")
@_filters
@click.option("--speaker", help="Only passages spoken by someone whose name contains this.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_context
@handle_errors
def search(ctx, query, k, tactic, episode_id, speaker, as_json):
    """Find passages by keywords and meaning (BM25 + vectors, fused by rank)."""
    from cxinsight.answer import session as queries

    hits = queries.search(_session(ctx), query, k, tactic, episode_id, speaker)
    if as_json:
        _emit_json({"query": query, "results": [h.model_dump() for h in hits]})
    else:
        from cxinsight.cli import render

        render.search_hits(query, hits)


@cli.command()
@click.argument("question")
@_filters
@_llm_options
@click.option("--json", "as_json", is_flag=True, help="Print the answer and citations as JSON.")
@click.pass_context
@handle_errors
def ask(ctx, question, k, tactic, episode_id, llm, llm_base_url, as_json):
    """Answer a question from the archive, citing every point [n].

    The answer quotes the strongest passages, grouped by tactic; each citation
    gives episode, speaker, time and the verbatim quote. When no passage is
    relevant enough, it says so (refused) instead of guessing.

    With --llm, an LLM writes the answer from the same evidence; every [n] is
    checked against the retrieved passages, sentences without a valid citation
    are dropped, and on any failure the extractive answer is shown instead.
    """
    from cxinsight.answer import session as queries

    result = queries.ask(_session(ctx, llm=llm, llm_base_url=llm_base_url), question, k, tactic, episode_id)
    if as_json:
        _emit_json(result.model_dump())
    else:
        from cxinsight.cli import render

        render.answer(result)


@cli.command()
@click.option("--episode", "episode_id", help="Only this episode.")
@click.option("--chart", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also draw a chart (frequency + tactic x episode heat map) to FILE.png.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handle_errors
def tactics(ctx, episode_id, chart, as_json):
    """Tactics across the archive: mentions, episodes and speakers for each."""
    from cxinsight.answer import session as queries

    session = _session(ctx)
    rows = queries.tactics_summary(session, episode_id)
    if chart:
        from cxinsight.notes.chart import tactics_chart
        from cxinsight.notes.export import mention_counts

        counts = mention_counts(session.archive)
        if episode_id:
            counts = {t: {e: n for e, n in by_ep.items() if e == episode_id} for t, by_ep in counts.items()}
            counts = {t: v for t, v in counts.items() if v}
        episodes_shown = [episode_id] if episode_id else sorted(session.archive.records())
        tactics_chart(counts, {t.id: t.name for t in session.taxonomy.tactics}, episodes_shown, chart)
        click.echo(f"wrote {chart}", err=True)
    if as_json:
        _emit_json({"tactics": rows})
    else:
        from cxinsight.cli import render

        render.tactics_table(rows)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handle_errors
def episodes(ctx, as_json):
    """List indexed episodes."""
    from cxinsight.answer import session as queries

    rows = queries.episodes(_session(ctx))
    if as_json:
        _emit_json({"episodes": rows})
    else:
        from cxinsight.cli import render

        render.episodes_table(rows)


from cxinsight.cli.publishing import clip, publish  # noqa: E402  (registered on the group)
from cxinsight.cli.scoring import evaluate  # noqa: E402
from cxinsight.cli.serving import mcp_command, serve  # noqa: E402
from cxinsight.cli.store import doctor  # noqa: E402
from cxinsight.cli.voices import speakers as speakers_command  # noqa: E402
from cxinsight.cli.writers import export, quotes, shownotes  # noqa: E402

for _command in (evaluate, quotes, shownotes, export, clip, publish, doctor, speakers_command, serve, mcp_command):
    cli.add_command(_command)


def main() -> None:
    obj: dict = {}
    try:
        cli.main(obj=obj, standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
        quick_exit(obj, code)  # read commands: skip the interpreter's slow teardown
        sys.exit(code)
