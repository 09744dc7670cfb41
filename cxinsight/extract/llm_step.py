"""The LLM step of the extraction chain: candidate windows -> validated, grounded tactic mentions.

The embedding classifier proposes where tactics are discussed; each candidate
window (with a little context) goes to the LLM as numbered sentences with the
taxonomy. The reply is validated: unknown sentence numbers and unknown tactic ids
are dropped (a proposed new tactic is kept, as `proposed:<slug>`), and quotes are
never taken from the reply, only sentence ids. Mentions of one tactic that touch
across windows are merged. If the LLM fails, the step raises LLMError and the
chain's fallback keeps the classifier's candidates for the episode (chain.py).
"""

from __future__ import annotations

from langchain_core.runnables import RunnableLambda
from pydantic import BaseModel, Field

from cxinsight.extract.taxonomy import Taxonomy
from cxinsight.llm.calls import LLMClient
from cxinsight.llm.prompts import load_prompt
from cxinsight.models import Sentence, TacticMention
from cxinsight.text.sentences import one_voice_runs
from cxinsight.util.slug import slugify

CONTEXT = 2  # sentences of context on each side of a candidate
MAX_WINDOW = 12


class ExtractedTactic(BaseModel):
    tactic_id: str | None = None
    new_tactic_name: str = ""
    new_tactic_description: str = ""
    sentence_ids: list[int] = Field(default_factory=list)
    summary: str = ""


class ExtractionReply(BaseModel):
    tactics: list[ExtractedTactic] = Field(default_factory=list)


def candidate_windows(candidates: list[TacticMention], sentences: list[Sentence]) -> list[list[Sentence]]:
    index = {s.id: i for i, s in enumerate(sentences)}
    spans = sorted((max(0, min(index[i] for i in m.sentence_ids) - CONTEXT),
                    min(len(sentences), max(index[i] for i in m.sentence_ids) + CONTEXT + 1))
                   for m in candidates if all(i in index for i in m.sentence_ids))
    merged: list[list[int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    windows = []
    for lo, hi in merged:
        for start in range(lo, hi, MAX_WINDOW):
            windows.append(sentences[start : min(hi, start + MAX_WINDOW)])
    return windows


def validate(reply: ExtractionReply, window: list[Sentence], taxonomy: Taxonomy, episode_id: str, extractor: str) -> list[TacticMention]:
    known = set(taxonomy.ids)
    mentions = []
    for item in reply.tactics:
        positions = sorted({n - 1 for n in item.sentence_ids if isinstance(n, int) and 1 <= n <= len(window)})
        if not positions:
            continue
        if item.tactic_id in known:
            tactic_id, summary = item.tactic_id, item.summary
        elif item.new_tactic_name.strip():
            tactic_id = f"proposed:{slugify(item.new_tactic_name)}"
            summary = f"{item.new_tactic_name.strip()}: {item.new_tactic_description.strip()}".strip(": ")
        else:
            continue  # an unknown tactic id that is not a proposal
        for voice in one_voice_runs(positions, window):
            mentions.append(TacticMention(episode_id=episode_id, tactic_id=tactic_id, sentence_ids=[window[i].id for i in voice],
                                          score=1.0, extractor=extractor, summary=summary[:300]))
    return mentions


def merge_mentions(mentions: list[TacticMention], sentences: list[Sentence]) -> list[TacticMention]:
    """One mention per tactic per run of touching sentences of one speaker."""
    index = {s.id: i for i, s in enumerate(sentences)}
    merged: list[TacticMention] = []
    for m in sorted(mentions, key=lambda m: (m.tactic_id, index[m.sentence_ids[0]])):
        last = merged[-1] if merged else None
        if (last and last.tactic_id == m.tactic_id and index[m.sentence_ids[0]] <= index[last.sentence_ids[-1]] + 1
                and sentences[index[m.sentence_ids[0]]].speaker == sentences[index[last.sentence_ids[-1]]].speaker):
            ids = sorted(set(last.sentence_ids) | set(m.sentence_ids), key=index.get)
            merged[-1] = last.model_copy(update={"sentence_ids": ids, "score": max(last.score, m.score)})
        else:
            merged.append(m)
    return sorted(merged, key=lambda m: index[m.sentence_ids[0]])


def build_llm_step(client: LLMClient, taxonomy: Taxonomy) -> RunnableLambda:
    """The chain's LLM step: candidate windows in, validated mentions out; raises LLMError when the LLM fails."""
    prompt = load_prompt("extraction")
    extractor = f"llm:{client.spec}@{prompt.version}"
    listing = "\n".join(f"{t.id}: {t.name} - {t.description}" for t in taxonomy.tactics)
    # Servers that constrain decoding to a schema can then only name known tactic ids (or null for a proposal).
    json_schema = ExtractionReply.model_json_schema()
    item = json_schema["$defs"]["ExtractedTactic"]["properties"]
    item["tactic_id"] = {"anyOf": [{"enum": list(taxonomy.ids)}, {"type": "null"}]}

    def step(inputs: dict) -> dict:
        sentences, candidates = inputs["sentences"], inputs["mentions"]
        found: list[TacticMention] = []
        for window in candidate_windows(candidates, sentences):
            numbered = "\n".join(f"[{n}] {s.text}" for n, s in enumerate(window, 1))
            reply = client.structured(prompt, {"tactics": listing, "sentences": numbered}, ExtractionReply, json_schema)
            found += validate(reply, window, taxonomy, inputs["episode_id"], extractor)
        return {**inputs, "mentions": merge_mentions(found, sentences)}

    return RunnableLambda(step, name="llm_step")
