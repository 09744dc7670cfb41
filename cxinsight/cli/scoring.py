"""`cxinsight eval`: extraction and retrieval scored against gold labels (the corpus, or the independent test set)."""

from __future__ import annotations

from pathlib import Path

import click

from cxinsight.cli.common import _emit_json, _llm_options, _session, handle_errors


@click.command("eval")
@click.option("--gold", type=click.Path(path_type=Path, dir_okay=False), default=Path("corpus/gold.yaml"), show_default=True,
              help="Gold labels: tactics per episode and questions with the episodes that answer them.")
@click.option("--calibrate", is_flag=True, help="Also sweep classifier and refusal thresholds and print the best.")
@_llm_options
@click.option("--episodes", "limit", type=click.IntRange(1, 10_000), default=None,
              help="With --llm: only the first N gold episodes (LLM runs are slow).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
@handle_errors
def evaluate(ctx, gold, calibrate, llm, llm_base_url, limit, as_json):
    """Score tactic extraction (precision/recall/F1) and retrieval (hit@3) against gold labels.

    With --llm SPEC, compare the offline extractor with the LLM-assisted one on
    the same episodes instead: P/R/F1 and seconds per episode, side by side.
    """
    if llm and llm != "none":
        from cxinsight.cli.render import print_comparison
        from cxinsight.evaluation.llm_compare import compare_extractors

        report = compare_extractors(_session(ctx, llm_base_url=llm_base_url), gold, llm, limit)
        _emit_json(report) if as_json else print_comparison(report)
        return
    from cxinsight.evaluation.evaluate import run_eval

    report = run_eval(_session(ctx), gold, calibrate=calibrate)
    if as_json:
        _emit_json(report)
    else:
        from cxinsight.cli.render import print_report

        print_report(report)
