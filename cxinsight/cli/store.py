"""Commands that look after the store itself: doctor."""

from __future__ import annotations

import click

from cxinsight.cli.common import _emit_json, _settings, handle_errors
from cxinsight.errors import EXIT_PARTIAL


@click.command()
@click.option("--repair", is_flag=True, help="Mend what is broken, from the transcripts the store keeps (no re-transcription).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
@handle_errors
def doctor(ctx, repair, as_json):
    """Check the store: rows, mentions, keyword index, vectors, schema.

    Every passage must belong to a committed episode, every mention must point
    at sentences that exist, the keyword index must agree with Chroma, and the
    stored vectors must match the configured embedding model. Leftovers of a
    killed ingest are reported; --repair deletes them and re-indexes damaged
    episodes from their stored transcripts. Exit 0 when healthy, 1 otherwise.

    \b
    Examples:
      cxinsight doctor
      cxinsight doctor --repair
    """
    from cxinsight.store.doctor import diagnose

    settings = _settings(ctx)
    if repair:
        from cxinsight.store.lock import writer_lock

        with writer_lock(settings.store, notify=lambda msg: click.echo(msg, err=True), chroma_url=settings.chroma_url,
                         lease_seconds=settings.lease_seconds) as lease:
            report = diagnose(settings, repair=True, confirm=lease.confirm if lease is not None else None)
    else:
        report = diagnose(settings)
    if as_json:
        _emit_json(report.as_dict())
    else:
        counts = ", ".join(f"{n} {name}" for name, n in report.counts.items())
        click.echo(f"Store {report.store}: {counts or 'not checked'}")
        for finding in report.findings:
            where = f"{finding.episode_id}: " if finding.episode_id else ""
            click.echo(f"  problem  {finding.check:<16} {where}{finding.detail}")
        for line in report.repaired:
            click.echo(f"  repaired {line}")
        if report.healthy:
            click.echo("Healthy." if not report.findings else "Healthy after repair.")
        else:
            hint = "" if repair else " Run `cxinsight doctor --repair` to mend it."
            click.echo(f"{len(report.remaining)} problem(s) remain.{hint}")
    if not report.healthy:
        ctx.exit(EXIT_PARTIAL)
