"""The extraction chain, built from LangChain runnables.

    sentences -> embedding classifier (candidate mentions) -> [LLM step] -> grounding

The classifier is the offline default. With `--llm`, the LLM step (llm_step.py)
slots in between candidates and grounding, wrapped in LangChain's `with_fallbacks`:
if the LLM fails on an episode, the classifier's candidates go on and the reason
travels in the result. Whatever the step returns passes the same grounding check,
which drops anything that points at sentences or tactics that do not exist
(proposed new tactics, `proposed:<slug>`, are kept as such).
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.runnables import Runnable, RunnableLambda

from cxinsight.extract.classifier import TacticClassifier
from cxinsight.extract.taxonomy import Taxonomy
from cxinsight.models import Sentence, TacticMention


def ground(episode_id: str, sentences: list[Sentence], mentions: list[TacticMention], taxonomy: Taxonomy) -> list[TacticMention]:
    """Keep only mentions of known tactics whose sentence ids exist in this episode."""
    known = {s.id for s in sentences}
    tactic_ids = set(taxonomy.ids)
    grounded = []
    for mention in mentions:
        ids = [i for i in mention.sentence_ids if i in known]
        known_tactic = mention.tactic_id in tactic_ids or mention.tactic_id.startswith("proposed:")  # LLM proposals kept
        if ids and known_tactic and mention.episode_id == episode_id:
            grounded.append(mention.model_copy(update={"sentence_ids": ids}))
    return grounded


@dataclass
class Extraction:
    """What the chain returns: grounded mentions, and why the LLM step was skipped ("" when it ran or was off)."""

    mentions: list[TacticMention]
    llm_fallback: str = ""


def build_extraction_chain(taxonomy: Taxonomy, embedder, client=None) -> Runnable:
    """A runnable from {"episode_id", "sentences", optional "meta"} to an Extraction; `client` (an LLMClient) adds
    the LLM step. With "meta" (EpisodeMeta), the show's and organisation's names are not read as evidence."""
    classifier = TacticClassifier(taxonomy, embedder)

    def candidates(inputs: dict) -> dict:
        return {**inputs, "mentions": classifier.mentions(inputs["episode_id"], inputs["sentences"],
                                                                meta=inputs.get("meta"))}

    def grounding(inputs: dict) -> Extraction:
        mentions = ground(inputs["episode_id"], inputs["sentences"], inputs["mentions"], taxonomy)
        return Extraction(mentions, inputs.get("llm_fallback", ""))

    chain: Runnable = RunnableLambda(candidates, name="embedding_classifier")
    if client is not None:
        from cxinsight.extract.llm_step import build_llm_step
        from cxinsight.llm.calls import LLMError

        def keep_candidates(inputs: dict) -> dict:
            return {**inputs, "llm_fallback": str(inputs.get("llm_error") or "LLM step failed")}

        chain = chain | build_llm_step(client, taxonomy).with_fallbacks(
            [RunnableLambda(keep_candidates, name="keep_classifier_mentions")],
            exceptions_to_handle=(LLMError,), exception_key="llm_error")
    return chain | RunnableLambda(grounding, name="grounding")
