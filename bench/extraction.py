"""Benchmark: tactic extraction's own cost, side by side: centroids alone, + the learned head, + its discussion reader,
+ its episode judge, + its second reader.

Ingests the sample corpus and the independent test set into a temporary store, then times, per document,
embedding the sentences once and scoring + labelling them with each classifier (the mean of 20 runs).
Prints a table; nothing is asserted. Figures are noisy on a shared machine: compare the columns of one run.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 20


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from cxinsight.answer.session import Session
    from cxinsight.extract.classifier import TacticClassifier
    from cxinsight.ingest.batch import ingest
    from cxinsight.settings import load_settings

    settings = load_settings(store=Path(tempfile.mkdtemp()) / "store")
    ingest([ROOT / "corpus" / "episodes", ROOT / "corpus" / "testset" / "episodes"], settings)
    session = Session(settings)
    centroids = TacticClassifier(session.taxonomy, session.embedder, head=None)
    with_second = TacticClassifier(session.taxonomy, session.embedder)
    head = with_second.head
    with_judge = TacticClassifier(session.taxonomy, session.embedder, head=dataclasses.replace(head, second=None))
    with_reader = TacticClassifier(session.taxonomy, session.embedder, head=dataclasses.replace(head, judge=None, second=None))
    with_head = TacticClassifier(session.taxonomy, session.embedder,
                                 head=dataclasses.replace(head, reader=None, judge=None, second=None))
    rows, totals = [], [0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    for episode_id in sorted(session.archive.records()):
        episode, _ = session.archive.load_episode(episode_id)
        started = time.perf_counter()
        vectors = with_second.scoring_vectors(episode.sentences, episode.meta)  # the centroids read the first block
        embed_s = time.perf_counter() - started
        timings = []
        for classifier in (centroids, with_head, with_reader, with_judge, with_second):
            started = time.perf_counter()
            for _ in range(RUNS):
                scores = classifier.sentence_scores(episode.sentences, episode.meta, vectors=vectors)
                classifier.mentions(episode.id, episode.sentences, scores, meta=episode.meta)
            timings.append((time.perf_counter() - started) / RUNS)
        rows.append((episode_id, len(episode.sentences), embed_s, *timings))
        totals = [t + v for t, v in zip(totals, (len(episode.sentences), embed_s, *timings))]
    table = Table(title=f"Extraction per document (scoring + labelling: mean of {RUNS} runs)")
    for col in ("document", "sentences", "embedding ms", "centroids ms", "+ head ms", "+ reader ms", "+ judge ms",
                "+ second ms", "head ratio", "reader ratio", "judge ratio", "second ratio"):
        table.add_column(col, justify="left" if col == "document" else "right")
    for name, n, embed_s, plain, scored, read, judged, second in [*rows, ("ALL", *totals)]:
        table.add_row(name, str(n), f"{1000 * embed_s:.0f}",
                      *(f"{1000 * t:.2f}" for t in (plain, scored, read, judged, second)),
                      f"{scored / plain:.2f}", f"{read / scored:.2f}", f"{judged / read:.2f}", f"{second / judged:.2f}")
    Console(width=200).print(table)  # wide enough for every column when not on a terminal
    session.close()


if __name__ == "__main__":
    main()
