"""`cxinsight eval`: extraction and retrieval scored against gold labels (the corpus, or the independent test set)."""

from __future__ import annotations

from pathlib import Path

import click

from cxinsight.cli.common import _emit_json, _llm_options, _session, handle_errors


CORPUS_GOLD = Path("corpus/gold.yaml")
DEVSET_GOLD = Path("corpus/devset/gold.yaml")
TESTSET_GOLD = Path("corpus/testset/gold.yaml")


@click.command("eval")
@click.option("--gold", "golds", type=click.Path(path_type=Path, dir_okay=False), multiple=True,
              help="Gold labels: tactics per episode and questions with the episodes that answer them; repeat to "
                   "score several sets side by side.  [default: corpus/gold.yaml, plus corpus/devset/gold.yaml "
                   "and corpus/testset/gold.yaml when the store holds their documents]")
@click.option("--calibrate", is_flag=True,
              help="Also sweep classifier and refusal thresholds: the best per set and leave-one-episode-out; "
                   "with several sets, the rule chosen on all tuning sets together (never on a set whose gold "
                   "says `role: test`) and leave-one-genre-out figures. On a set the learned head was trained on, "
                   "rules are swept on each document's scores under a head trained without it.")
@click.option("--train-head", is_flag=True,
              help="Train the classifier's learned head on the tuning sets (never on a `role: test` set), report "
                   "it leave-one-document-out beside the centroids alone, and write it next to the taxonomy.")
@_llm_options
@click.option("--episodes", "limit", type=click.IntRange(1, 10_000), default=None,
              help="With --llm: only the first N gold episodes (LLM runs are slow).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the report as JSON (several sets: {\"reports\": [...]}, one per set).")
@click.pass_context
@handle_errors
def evaluate(ctx, golds, calibrate, train_head, llm, llm_base_url, limit, as_json):
    """Score tactic extraction (precision/recall/F1) and retrieval (hit@3) against gold labels.

    By default the sets the settings were tuned on (the sample corpus, and the
    development set of other genres) and the independent test set (never tuned
    on) are scored and shown side by side, each set with genres also per genre
    (a set is scored when the store holds its documents):

    \b
      cxinsight ingest corpus/episodes corpus/devset/episodes corpus/testset/episodes
      cxinsight eval
      cxinsight eval --calibrate    # also re-choose the rules and show held-out figures
      cxinsight eval --train-head   # retrain the learned head (after editing the taxonomy)

    With --llm SPEC, compare the offline extractor with the LLM-assisted one on
    the same episodes instead: P/R/F1 and seconds per episode, side by side.
    """
    from cxinsight.cli.render import err_console

    session = _session(ctx, llm_base_url=llm_base_url) if llm and llm != "none" else _session(ctx)
    golds = list(golds) or _default_golds(session, err_console)
    if train_head:
        from cxinsight.cli.render import print_head_training
        from cxinsight.evaluation.head_training import train_and_judge

        with _working(err_console, "Training the head, leaving each tuning document out…"):
            report = train_and_judge(session, golds)
        _emit_json(report) if as_json else print_head_training(report)
        return
    if llm and llm != "none":
        from cxinsight.cli.render import print_comparison
        from cxinsight.evaluation.llm_compare import compare_extractors

        reports = [compare_extractors(session, gold, llm, limit) for gold in golds]
        printer = print_comparison
    else:
        from cxinsight.cli.render import print_report
        from cxinsight.evaluation.evaluate import run_eval

        pools: dict[str, list] = {}
        reports, held_out = [], {}
        if calibrate:  # rules are swept on scores of a head that never saw the document
            from cxinsight.evaluation.head_training import held_out_scores

            with _working(err_console, "Scoring each tuning document with a head trained without it…"):
                held_out = held_out_scores(session, golds)
        for gold in golds:
            with _working(err_console, f"Scoring {gold}{' and sweeping its rules' if calibrate else ''}…"):
                reports.append(run_eval(session, gold, calibrate=calibrate, pool=pools.setdefault(str(gold), []),
                                        held_out=held_out))
        printer = print_report
    across = {}
    if calibrate and printer is print_report:
        with _working(err_console, "Choosing rules across the sets and leaving each genre out…"):
            across = _across_sets(session, reports, pools)
    if as_json:
        doc = reports[0] if len(reports) == 1 else {"reports": reports}
        _emit_json({**doc, **across})
        return
    for report in reports:
        printer(report)
    if len(reports) > 1 and printer is print_report:
        from cxinsight.cli.render import print_side_by_side

        print_side_by_side(reports)
    if across:
        from cxinsight.cli.render import print_across_sets

        print_across_sets(across)


def _working(console, what: str):
    """A spinner on a terminal (calibration takes minutes); nothing when the output is piped."""
    import contextlib

    return console.status(what) if console.is_terminal else contextlib.nullcontext()


def _across_sets(session, reports: list[dict], pools: dict[str, list]) -> dict:
    """With several sets or genres: the rule chosen on all tuning sets together (never on a `role: test`
    set), scored on every set; and leave-one-genre-out: for each genre, a rule chosen on the tuning sets'
    other genres, scored on that genre in every set (a set without genres counts as one genre)."""
    from cxinsight.evaluation import calibrate as cal

    base, out = session.taxonomy.classifier, {}
    tuning = [r["gold"] for r in reports if r.get("role") != "test" and pools.get(r["gold"])]
    if len(reports) > 1 and tuning:
        chosen, _ = cal.sweep([p for g in tuning for p in pools[g]], base)
        out["tuned_together"] = {"tuned_on": tuning, "config": chosen.model_dump(), "sets": {
            r["gold"]: {"role": r.get("role", ""), "chosen": cal.totals(cal.counts(pools[r["gold"]], chosen)),
                        "shipped": cal.totals(cal.counts(pools[r["gold"]], base))} for r in reports if pools.get(r["gold"])}}
    roles = {r["gold"]: r.get("role") for r in reports}
    everything = [(p, roles.get(gold) != "test") for gold, pool in pools.items() for p in pool]
    if len({p.genre for p, _ in everything}) > 1:
        genres = cal.leave_one_genre_out([p for p, _ in everything], base, [t for _, t in everything])
        if genres["genres"]:
            out["leave_one_genre_out"] = genres
    return out


def _default_golds(session, console) -> list[Path]:
    from cxinsight.evaluation.evaluate import gold_in_store

    golds = [CORPUS_GOLD]
    for gold in (DEVSET_GOLD, TESTSET_GOLD):
        if not gold.is_file():
            continue
        if gold_in_store(session, gold):
            golds.append(gold)
        else:
            console.print(f"({gold}: none of its documents is in this store; `cxinsight ingest "
                          f"{gold.parent / 'episodes'}` to score it beside the corpus)", style="dim")
    return golds
