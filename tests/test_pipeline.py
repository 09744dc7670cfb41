"""Ingest into a real Chroma store: idempotent, all-or-nothing per episode, duplicates indexed once."""

from __future__ import annotations

import json
import shutil

import pytest

from cxinsight.embed import MODEL_NAME, get_embedder
from cxinsight.ingest.batch import ingest
from cxinsight.settings import load_settings
from cxinsight.store.archive import Archive
from tests.conftest import CORPUS, ROOT, copied_store


def counts(store):
    archive = Archive(store, MODEL_NAME)
    records = archive.records()
    result = {
        "episodes": len(records),
        "passages": archive.passages.count(),
        "mentions": archive.mentions.count(),
        "keyword": archive.keyword.count(),
        "expected_passages": sum(r["passages"] for r in records.values()),
        "expected_mentions": sum(r["mentions"] for r in records.values()),
    }
    archive.close()
    return result


def assert_consistent(c):
    assert c["passages"] == c["expected_passages"] == c["keyword"]
    assert c["mentions"] == c["expected_mentions"]


@pytest.fixture
def two_episodes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for stem in ("01-brightwater-cleanup", "02-harbourline-claims"):
        for f in CORPUS.glob(stem + ".*"):
            shutil.copy(f, folder / f.name)
    return folder


def test_corpus_store_is_complete_and_consistent(corpus_store):
    c = counts(corpus_store)
    assert c["episodes"] == 8
    assert_consistent(c)
    archive = Archive(corpus_store, MODEL_NAME)
    record = archive.records()["01-brightwater-cleanup"]
    assert record["guest"] == "Marisol Okafor-Lind" and record["url"].startswith("https://")
    assert "cleanup-and-catch-up" in json.loads(record["tactics"])
    assert archive.records()["04-northpine-advisory-board"]["times_estimated"] is True
    archive.close()


def test_reingest_adds_nothing_and_duplicates_index_once(tmp_path, two_episodes, isolated_store):
    settings = load_settings(store=isolated_store)
    first = ingest([two_episodes], settings)
    assert first.count("indexed") == 2
    before = counts(isolated_store)

    again = ingest([two_episodes], settings)
    assert again.count("skipped") == 2 and again.count("indexed") == 0

    shutil.copy(two_episodes / "01-brightwater-cleanup.txt", two_episodes / "copy-of-brightwater.txt")
    dup = ingest([two_episodes / "copy-of-brightwater.txt"], settings)
    assert dup.outcomes[0].status == "skipped" and "same content as episode '01-brightwater-cleanup'" in dup.outcomes[0].detail
    assert counts(isolated_store) == before


def test_crash_before_commit_leaves_nothing_visible_and_rerun_completes(two_episodes, isolated_store, monkeypatch):
    settings = load_settings(store=isolated_store)
    path = two_episodes / "01-brightwater-cleanup.txt"

    from chromadb.api.models.Collection import Collection

    def crash(self, *args, **kwargs):  # only the episode record (the commit) is upserted
        raise RuntimeError("simulated crash before the commit")

    with monkeypatch.context() as patch:
        patch.setattr(Collection, "upsert", crash)
        from cxinsight.errors import StoreFailed

        with pytest.raises(StoreFailed, match="simulated crash before the commit.*re-run to resume"):
            ingest([path], settings)  # the batch stops with one clear error naming the episode

    archive = Archive(isolated_store, MODEL_NAME)
    assert archive.records() == {}
    assert archive.passages.count() > 0  # rows were written ...
    from cxinsight.answer.retrieve import hybrid_search

    assert hybrid_search(archive, get_embedder(), "complaints backlog surveys", settings) == []  # ... but none visible
    archive.close()

    report = ingest([path], settings)
    assert report.count("indexed") == 1
    c = counts(isolated_store)
    assert c["episodes"] == 1
    assert_consistent(c)  # the crashed run's orphans are gone, no duplicates


def test_changed_content_replaces_old_rows(two_episodes, isolated_store):
    settings = load_settings(store=isolated_store)
    path = two_episodes / "01-brightwater-cleanup.txt"
    ingest([path], settings)
    path.write_text(path.read_text() + "\n[09:59] Marisol Okafor-Lind: One more thing about retiring old surveys.\n")
    report = ingest([path], settings)
    assert report.count("indexed") == 1
    c = counts(isolated_store)
    assert c["episodes"] == 1
    assert_consistent(c)


def test_bad_files_fail_alone(tmp_path, two_episodes, isolated_store):
    (two_episodes / "empty.txt").write_text("")
    (two_episodes / "latin.txt").write_bytes(b"Caf\xe9\x00\x01 \x81")  # neither UTF-8 nor Windows-1252 text
    (two_episodes / "moved.vtt").symlink_to(tmp_path / "gone.vtt")  # a link whose file was moved away
    report = ingest([two_episodes, tmp_path / "nowhere.srt"], load_settings(store=isolated_store))
    assert report.count("indexed") == 2
    failures = {o.path.split("/")[-1]: o.detail for o in report.failed}
    assert set(failures) == {"empty.txt", "latin.txt", "nowhere.srt", "moved.vtt"}
    assert "empty file" in failures["empty.txt"] and "not UTF-8" in failures["latin.txt"]
    assert "a broken link (to " in failures["moved.vtt"] and "gone.vtt" in failures["moved.vtt"]


def test_same_slug_from_different_sources_never_overwrites(tmp_path, cli_run, isolated_store):
    """a/episode-1.srt and b/episode-1.vtt slug alike: both are kept, the second under a distinct id, said so."""
    for folder, source in (("a", "02-harbourline-claims.srt"), ("b", "03-skylark-disruption.vtt")):
        (tmp_path / folder).mkdir()
        shutil.copy(CORPUS / source, tmp_path / folder / f"episode-1{source[-4:]}")
    first = json.loads(cli_run("ingest", str(tmp_path / "a"), str(tmp_path / "b"), "--json").stdout)["outcomes"]
    assert [o["status"] for o in first] == ["indexed", "indexed"]
    ids = [o["episode_id"] for o in first]
    assert ids[0] == "episode-1" and ids[1].startswith("episode-1-") and "belongs to" in first[1]["detail"]
    # Across batches too, and a re-run of either source updates (here: skips) its own id, never the other's.
    again = json.loads(cli_run("ingest", str(tmp_path / "b"), str(tmp_path / "a"), "--json").stdout)["outcomes"]
    assert [(o["episode_id"], o["status"]) for o in again] == [(ids[1], "skipped"), (ids[0], "skipped")]
    # Its id is old news the second time, in either order (it had said "earlier in this batch" of a's id).
    third = json.loads(cli_run("ingest", str(tmp_path / "a"), str(tmp_path / "b"), "--json").stdout)["outcomes"]
    assert [(o["episode_id"], o["detail"]) for o in third] == [(i, "already indexed, same content") for i in ids]
    episodes = {e["episode_id"]: e["guest"] for e in json.loads(cli_run("episodes", "--json").stdout)["episodes"]}
    assert set(episodes) == set(ids) and len(set(episodes.values())) == 2


def test_an_edited_taxonomy_labels_unchanged_episodes_again(tmp_path, cli_run, isolated_store):
    """Same content is skipped only while the taxonomy and head that labelled it are unchanged; after an edit the
    episode is labelled again with the edited taxonomy, and the outcome says why."""
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    taxonomy = prompts / "tactics.yaml"
    shutil.copy(CORPUS / "02-harbourline-claims.srt", tmp_path / "claims.srt")

    def ingest_once() -> dict:
        return json.loads(cli_run("--taxonomy", str(taxonomy), "ingest", str(tmp_path / "claims.srt"), "--json").stdout)["outcomes"][0]

    def storytelling_quotes() -> list[str]:
        out = cli_run("--taxonomy", str(taxonomy), "quotes", "--tactic", "customer-storytelling", "-f", "json", "-n", "1000")
        return [q["text"] for q in json.loads(out.stdout)["quotes"]]

    assert ingest_once()["status"] == "indexed"
    assert not any("claims review" in text for text in storytelling_quotes())
    assert ingest_once()["detail"] == "already indexed, same content"
    # A user names the tactic by a new alias: the store's labels must follow, without --force.
    text = taxonomy.read_text(encoding="utf-8")
    aliases = 'aliases: ["customer storytelling"]'
    assert aliases in text
    taxonomy.write_text(text.replace(aliases, 'aliases: ["customer storytelling", "claims review"]'), encoding="utf-8")
    again = ingest_once()
    assert again["status"] == "indexed" and "labelled again (taxonomy or head changed)" in again["detail"]
    assert any("claims review" in text for text in storytelling_quotes())
    assert ingest_once()["detail"] == "already indexed, same content"


def test_a_question_naming_an_organisation_by_its_kind_is_answered_from_that_episode(tmp_path, cli_run, isolated_store,
                                                                                      corpus_store, monkeypatch):
    """"The pharmacy chain" is said in one passage of its episode and its hiring in another; an airline's episode
    tells of hiring in the words of the question. Ranking whole episodes by BM25 (store/keyword.rank_episodes)
    in the fusion puts the pharmacy first; without it, the airline's passage wins. The sample corpus is there
    too, as distractors and so that BM25's word weights mean something."""
    assert copied_store(corpus_store, tmp_path) == isolated_store
    folder = tmp_path / "shows"
    folder.mkdir()
    (folder / "opal-pharmacy.txt").write_text(
        "Host: Welcome back to the show.\n\n"
        "Meera: Thanks. I run customer operations at Opal, a pharmacy chain with three hundred stores. "
        "Most of our people work behind the counter. The stores sit on high streets and in retail parks. "
        "We open early for commuters and late on Thursdays.\n\n"
        "Host: And what changed first?\n\n"
        "Meera: We changed how we hire. Candidates now role-play a worried customer in the interview. "
        "Store managers' bonuses depend on what customers tell us, not only on sales.\n", encoding="utf-8")
    (folder / "sable-airline.txt").write_text(
        "Host: Today, an airline.\n\n"
        "Ingrid: We reworked recruitment interviews and crew bonuses around how staff treat passengers. "
        "Interviews test empathy and bonuses reward it.\n\n"
        "Host: Fuel prices went up this year.\n\n"
        "Ingrid: They did, and we ordered twelve new aircraft.\n", encoding="utf-8")
    (folder / "harbour-hotels.txt").write_text(
        "Host: Our guest runs guest services at a hotel chain.\n\n"
        "Dana: Forty hotels in the chain, mostly by the sea. Summer is busy and winter is quiet.\n\n"
        "Host: What about interviews?\n\n"
        "Dana: Interviews happen in each hotel. Housekeeping is the hardest team to staff.\n\n"
        "Host: And bonuses?\n\n"
        "Dana: Bonuses are set by the owners every spring, and they follow occupancy.\n", encoding="utf-8")
    assert cli_run("ingest", str(folder)).exit_code == 0
    question = "How did the pharmacy chain rework interviews and bonuses?"

    def first_cited() -> str:
        answer = json.loads(cli_run("ask", question, "--json").output)
        assert answer["refused"] is False
        return answer["citations"][0]["episode_id"]

    assert first_cited() == "opal-pharmacy"
    monkeypatch.setenv("CXINSIGHT_EPISODE_WEIGHT", "0")  # passages alone
    assert first_cited() == "sable-airline"
