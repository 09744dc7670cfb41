"""Choosing the classifier's decision rules on labelled episodes, and judging that choice on held-out ones.

`sweep` tries the seed rules in the grid, then growth on the best of them; `leave_one_out` chooses on all
episodes but one and scores that one; `leave_one_genre_out` chooses on the tuning documents of every genre
but one (the corpus counts as a genre) and scores the held-out genre, so a figure says how well rules chosen
on other kinds of text carry to a kind never seen. The shipped rules were chosen on the corpus and the
development set together; a set marked `role: test` is never chosen on.

A sweep tries about 2,600 rules, so a rule is scored here with array operations on precomputed matrices
(`Prepared`) through the classifier's own `label` (and its discussion reader, which re-reads every rule's
labels), instead of building TacticMentions;
`tests/test_calibrate.py` checks both give the same counts.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field

import numpy as np

from cxinsight.extract.classifier import candidate_rule, label, read_labels, reading_floor, reread, seed_sentences
from cxinsight.extract.discussion import DiscussionReader, SentenceFacts
from cxinsight.extract.episode_judge import EpisodeJudge
from cxinsight.extract.second_reading import SecondReader
from cxinsight.extract.taxonomy import ClassifierConfig

SCORINGS = ((1, 0.0), (1, 0.3), (1, 0.5), (2, 0.0), (3, 0.0))


def scoring_key(cfg: ClassifierConfig) -> tuple[int, float]:
    """What a sentence's scores depend on: the window, and for one-sentence windows the context weight."""
    return (cfg.window, cfg.context if cfg.window == 1 else 0.0)


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


@dataclass
class Prepared:
    """One labelled episode as matrices over (sentences, tactics)."""
    scores: dict[tuple[int, float], np.ndarray]
    gold: np.ndarray     # bool: the gold labels
    genre: str
    facts: SentenceFacts  # per sentence: long enough, names a tactic, speaker, ... (what label and the reader read)
    words: np.ndarray | None = None       # per sentence: its words (evaluation/words.py)
    gold_words: np.ndarray | None = None  # (sentences, tactics): its words inside a gold quote
    reader: DiscussionReader | None = None  # the classifier's discussion reader, applied after every rule
    judge: EpisodeJudge | None = None       # ... and its episode judge
    second: SecondReader | None = None      # ... and its second reader
    # Counts per rule already computed: leave-one-out sweeps the same rules over the same episodes again and
    # again. Not copied by dataclasses.replace, which may give the episode other scores.
    tallied: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # Counts per reading: a third of a sweep's rules give an episode labels another rule already gave it, and
    # the reader's reading of the same labels is the same.
    read: dict = field(default_factory=dict, init=False, repr=False, compare=False)


def prepare(classifier, case: dict) -> Prepared:
    episode = case["episode"]
    index = {s.id: i for i, s in enumerate(episode.sentences)}
    tactic_ids = classifier.taxonomy.ids
    gold = np.zeros((len(episode.sentences), len(tactic_ids)), dtype=bool)
    for k, tactic in enumerate(tactic_ids):
        gold[[index[sid] for sid in case["gold"].get(tactic, ()) if sid in index], k] = True
    words = gold_words = None
    if case.get("words"):  # word-level gold as counts per sentence, so a sweep stays matrix sums
        word_sentence = np.array(case["words"]["word_sentence"], dtype=np.int64)
        words = np.bincount(word_sentence, minlength=len(episode.sentences))
        gold_words = np.zeros((len(episode.sentences), len(tactic_ids)), dtype=np.int64)
        for k, tactic in enumerate(tactic_ids):
            np.add.at(gold_words[:, k], word_sentence[sorted(case["words"]["by_tactic"].get(tactic, ()))], 1)
    head = classifier.head
    return Prepared(case["scores"], gold, case["genre"], classifier.facts(episode.sentences, episode.meta), words,
                    gold_words, head.reader if head else None, head.judge if head else None,
                    head.second if head else None)


def predict(case: Prepared, cfg: ClassifierConfig) -> np.ndarray:
    """The sentences TacticClassifier.mentions labels with each tactic under `cfg` (bool matrix)."""
    return read_labels(case.scores[scoring_key(cfg)], case.facts, cfg, case.reader, case.judge, case.second)


def counts(cases: list[Prepared], cfg: ClassifierConfig) -> np.ndarray:
    """(3 levels: episode, sentence, word) x (tp, fp, fn) x tactics. A case without word gold adds no words."""
    out = np.zeros((3, 3, cases[0].gold.shape[1] if cases else 0), dtype=np.int64)
    rule = tuple(vars(cfg).values())
    for case in cases:
        if rule not in case.tallied:
            case.tallied[rule] = _count(case, cfg)
        out += case.tallied[rule]
    return out


def _count(case: Prepared, cfg: ClassifierConfig) -> np.ndarray:
    """tally(case, predict(case, cfg)), with the reading of labels read before taken from `read`: what the readers
    and the judge make of them depends on the rule's labels, seeds and reading floor alone."""
    if case.reader is None:
        return tally(case, predict(case, cfg))
    scores, facts = case.scores[scoring_key(cfg)], case.facts
    if case.judge is not None:
        cfg = candidate_rule(cfg)  # as read_labels does
    labels = label(scores, facts.long_enough, facts.named, cfg, facts.speakers)
    seeds = seed_sentences(scores, facts.long_enough, cfg)
    key = (scoring_key(cfg), reading_floor(cfg), hashlib.blake2b(np.packbits(labels).tobytes() + np.packbits(seeds).tobytes(),
                                             digest_size=16).digest())
    if key not in case.read:
        case.read[key] = tally(case, reread(scores, facts, labels, seeds, reading_floor(cfg), case.reader, case.judge,
                                            case.second))
    return case.read[key]


def tally(case: Prepared, p: np.ndarray) -> np.ndarray:
    """(3 levels) x (tp, fp, fn) x tactics for the labels `p` of one case."""
    out = np.zeros((3, 3, case.gold.shape[1]), dtype=np.int32)
    g = case.gold
    pe, ge = p.any(axis=0), g.any(axis=0)
    out[0] = np.stack([pe & ge, pe & ~ge, ge & ~pe])
    out[1] = np.stack([(p & g).sum(0), (p & ~g).sum(0), (g & ~p).sum(0)])
    if case.gold_words is not None:
        tp = (case.gold_words * p).sum(0)
        out[2] = np.stack([tp, (case.words[:, None] * p).sum(0) - tp, case.gold_words.sum(0) - tp])
    return out


def totals(table: np.ndarray) -> dict:
    return {"episode_level": prf(*map(int, table[0].sum(axis=1))), "sentence_level": prf(*map(int, table[1].sum(axis=1))),
            "word_level": prf(*map(int, table[2].sum(axis=1)))}


def objective(result: dict) -> float:
    return result["episode_level"]["f1"] + result["sentence_level"]["f1"]


def grid(base: ClassifierConfig, scorings=SCORINGS, min_sentences_tried=(1, 2, 3)):
    for (window, context), margin, min_sentences, threshold in itertools.product(
            scorings, (0.0, 0.03, 1.0), min_sentences_tried, np.arange(0.25, 0.61, 0.01)):
        yield base.model_copy(update={"window": window, "context": context, "margin": margin,
                                      "min_sentences": min_sentences, "threshold": round(float(threshold), 2)})


def growth_grid(seeds: ClassifierConfig):
    for grow_threshold, grow_margin, fill_gap in itertools.product(
            (None, 0.25, 0.28, 0.30, 0.33, 0.35, 0.40), (0.0, 0.05, 0.1, 0.2, 1.0), (0, 1, 2, 3)):
        if grow_threshold is not None and grow_threshold >= seeds.threshold:
            continue
        yield seeds.model_copy(update={"grow_threshold": grow_threshold, "grow_margin": grow_margin, "fill_gap": fill_gap})


def _ranked(cases: list[Prepared], rules) -> list[tuple[float, int, ClassifierConfig, dict]]:
    """The rules, best first by episode F1 + sentence F1 (ties: grid order)."""
    scored = []
    for i, cfg in enumerate(rules):
        result = totals(counts(cases, cfg))
        scored.append((-objective(result), i, cfg, result))
    return sorted(scored, key=lambda x: x[:2])


SEED_RULES_GROWN = 25  # growth is tried on this many of the best seed rules (the best seed alone is myopic)


def sweep(cases: list[Prepared], base: ClassifierConfig) -> tuple[ClassifierConfig, dict]:
    """The rule with the best episode F1 + sentence F1 on `cases`, in two stages: the seed rules (scoring,
    threshold, margin, min_sentences unless a judge decides) without growth, then growth on the best of them."""
    scorings = [s for s in SCORINGS if all(s in c.scores for c in cases)] or [scoring_key(base)]
    no_growth = base.model_copy(update={"grow_threshold": None, "grow_margin": 0.0, "fill_gap": 0})
    # With an episode judge, every tactic with a seed is a candidate: min_sentences changes nothing, so it stays.
    judged = any(c.judge is not None and c.reader is not None for c in cases)
    tried = (base.min_sentences,) if judged else (1, 2, 3)
    seeds = [cfg for _, _, cfg, _ in _ranked(cases, grid(no_growth, scorings, tried))[:SEED_RULES_GROWN]]
    _, _, best_cfg, best = _ranked(cases, (g for cfg in seeds for g in growth_grid(cfg)))[0]
    return best_cfg, best


def leave_one_out(cases: list[Prepared], base: ClassifierConfig) -> dict:
    """Each episode scored with the rule chosen on all the others."""
    table = sum(counts([case], sweep(cases[:i] + cases[i + 1:], base)[0]) for i, case in enumerate(cases))
    return totals(table)


def leave_one_genre_out(cases: list[Prepared], base: ClassifierConfig, tuning: list[bool] | None = None) -> dict:
    """Per genre: the rule chosen on the other genres' tuning documents (`tuning`: per case, default all),
    and how it and `base` score the held-out genre in every set. A genre with no other tuning documents to
    choose on is left out. `pooled` sums the held-out genres (each scored by a rule it had no part in choosing)."""
    tuning = [True] * len(cases) if tuning is None else tuning
    out, pooled, pooled_base = {}, 0, 0
    for genre in sorted({c.genre for c in cases}):
        choose_on = [c for c, t in zip(cases, tuning) if t and c.genre != genre]
        if not choose_on:
            continue
        held = [c for c in cases if c.genre == genre]
        chosen, _ = sweep(choose_on, base)
        held_table, base_table = counts(held, chosen), counts(held, base)
        pooled, pooled_base = pooled + held_table, pooled_base + base_table
        out[genre] = {"episodes": len(held), "config": chosen.model_dump(),
                      "held_out": totals(held_table), "shipped": totals(base_table)}
    return {"genres": out, "pooled": totals(pooled) if out else {}, "pooled_shipped": totals(pooled_base) if out else {}}


def calibrate_refusal(sims: tuple[list[float], list[float]]) -> dict:
    answerable, unanswerable = sims
    best = (-1, 0.0)
    for t in np.arange(0.10, 0.61, 0.01):
        correct = sum(s >= t for s in answerable) + sum(s < t for s in unanswerable)
        best = max(best, (correct, round(float(t), 2)), key=lambda x: (x[0], -abs(x[1] - 0.35)))
    return {"min_relevance": best[1], "correct": int(best[0]), "of": len(answerable) + len(unanswerable),
            "answerable_min": round(min(answerable), 3) if answerable else None,
            "unanswerable_max": round(max(unanswerable), 3) if unanswerable else None}


def calibrate_support(supports: tuple[list[float], list[float]], margin: float = 0.02) -> dict:
    """min_support a little under the least-supported answerable question (how answer/support.py's 0.60 was
    chosen, with leave-one-question-out on the corpus), and what it refuses."""
    answerable, unanswerable = supports
    if not answerable:
        return {}
    t = round(min(answerable) - margin, 2)
    return {"min_support": t, "answered": sum(v >= t for v in answerable), "answerable": len(answerable),
            "refused_unanswerable": sum(v < t for v in unanswerable), "unanswerable": len(unanswerable)}
