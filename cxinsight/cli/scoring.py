"""`cxinsight eval`: extraction and retrieval scored against gold labels (the corpus, or the independent test set)."""

from __future__ import annotations

from pathlib import Path

import click

from cxinsight.cli.common import _emit_json, _llm_options, _session, handle_errors


CORPUS_GOLD = Path("corpus/gold.yaml")
TESTSET_GOLD = Path("corpus/testset/gold.yaml")


@click.command("eval")
@click.option("--gold", "golds", type=click.Path(path_type=Path, dir_okay=False), multiple=True,
              help="Gold labels: tactics per episode and questions with the episodes that answer them; repeat to "
                   "score several sets side by side.  [default: corpus/gold.yaml, and corpus/testset/gold.yaml "
                   "when the store holds its documents]")
@click.option("--calibrate", is_flag=True,
              help="Also sweep classifier and refusal thresholds: the best, leave-one-episode-out and, with "
                   "several genres, leave-one-genre-out figures (rules chosen on the other genres).")
@_llm_options
@click.option("--episodes", "limit", type=click.IntRange(1, 10_000), default=None,
              help="With --llm: only the first N gold episodes (LLM runs are slow).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the report as JSON (several sets: {\"reports\": [...]}, one per set).")
@click.pass_context
@handle_errors
def evaluate(ctx, golds, calibrate, llm, llm_base_url, limit, as_json):
    """Score tactic extraction (precision/recall/F1) and retrieval (hit@3) against gold labels.

    By default the sample corpus (what the settings were tuned on) and, when the
    store holds it, the independent test set (never tuned on) are scored and
    shown side by side, the test set also per genre:

    \b
      cxinsight ingest corpus/episodes corpus/testset/episodes
      cxinsight eval

    With --llm SPEC, compare the offline extractor with the LLM-assisted one on
    the same episodes instead: P/R/F1 and seconds per episode, side by side.
    """
    from cxinsight.cli.render import err_console

    session = _session(ctx, llm_base_url=llm_base_url) if llm and llm != "none" else _session(ctx)
    golds = list(golds) or _default_golds(session, err_console)
    if llm and llm != "none":
        from cxinsight.cli.render import print_comparison
        from cxinsight.evaluation.llm_compare import compare_extractors

        reports = [compare_extractors(session, gold, llm, limit) for gold in golds]
        printer = print_comparison
    else:
        from cxinsight.cli.render import print_report
        from cxinsight.evaluation.evaluate import run_eval

        pool: list = []
        reports = [run_eval(session, gold, calibrate=calibrate, pool=pool) for gold in golds]
        printer = print_report
    genres = _leave_one_genre_out(session, pool) if calibrate and not llm else None
    if as_json:
        doc = reports[0] if len(reports) == 1 else {"reports": reports}
        _emit_json({**doc, "leave_one_genre_out": genres} if genres else doc)
        return
    for report in reports:
        printer(report)
    if len(reports) > 1 and printer is print_report:
        from cxinsight.cli.render import print_side_by_side

        print_side_by_side(reports)
    if genres:
        from cxinsight.cli.render import print_leave_one_genre_out

        print_leave_one_genre_out(genres)


def _leave_one_genre_out(session, pool: list) -> dict | None:
    """Rules chosen on all genres but one (the corpus is one), scored on that one; None with one genre."""
    from cxinsight.evaluation.calibrate import leave_one_genre_out

    if len({p.genre for p in pool}) < 2:
        return None
    return leave_one_genre_out(pool, session.taxonomy.classifier)


def _default_golds(session, console) -> list[Path]:
    from cxinsight.evaluation.evaluate import gold_in_store

    golds = [CORPUS_GOLD]
    if TESTSET_GOLD.is_file():
        if gold_in_store(session, TESTSET_GOLD):
            golds.append(TESTSET_GOLD)
        else:
            console.print(f"({TESTSET_GOLD}: none of its documents is in this store; `cxinsight ingest "
                          f"{TESTSET_GOLD.parent / 'episodes'}` to score it beside the corpus)", style="dim")
    return golds
