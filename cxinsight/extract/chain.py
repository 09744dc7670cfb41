"""The extraction chain, built from LangChain runnables.

    sentences -> embedding classifier (candidate mentions) -> [LLM step] -> grounding

The classifier is the offline default. With `--llm`, the LLM step (llm_step.py)
slots in between candidates and grounding; whatever it returns passes the same
grounding check, which drops anything that points at sentences or tactics that do
not exist (proposed new tactics, `proposed:<slug>`, are kept as such).
"""

from __future__ import annotations

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


def build_extraction_chain(taxonomy: Taxonomy, embedder, llm_step: Runnable | None = None) -> Runnable:
    """A runnable from {"episode_id", "sentences"} to a list of grounded TacticMentions."""
    classifier = TacticClassifier(taxonomy, embedder)

    def candidates(inputs: dict) -> dict:
        return {**inputs, "mentions": classifier.mentions(inputs["episode_id"], inputs["sentences"])}

    def grounding(inputs: dict) -> list[TacticMention]:
        return ground(inputs["episode_id"], inputs["sentences"], inputs["mentions"], taxonomy)

    chain: Runnable = RunnableLambda(candidates, name="embedding_classifier")
    if llm_step is not None:
        chain = chain | llm_step
    return chain | RunnableLambda(grounding, name="grounding")
