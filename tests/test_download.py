"""Resumed downloads against a real local HTTP server: If-Range keeps a changed file from being spliced."""

from __future__ import annotations

import os

import pytest

from cxinsight.errors import InputError
from cxinsight.sources.download import fetch
from tests.helpers import Origin

CUT_AT = 120_000  # bytes the first answer delivers before the connection breaks


@pytest.fixture(params=["etag", "last-modified"])
def origin(request):
    served = Origin(os.urandom(300_000), request.param, cut_at=CUT_AT)
    yield served
    served.close()


def interrupted(origin: Origin, target) -> None:
    """A first attempt that stops after CUT_AT bytes, leaving NAME.part (and NAME.part.meta) behind."""
    origin.cut_next = True
    with pytest.raises(InputError, match="download failed"):
        fetch(origin.url, target)
    assert (target.parent / "episode.mp3.part").stat().st_size == CUT_AT


def test_an_unchanged_file_resumes_where_it_stopped(origin, tmp_path):
    target = tmp_path / "media" / "episode.mp3"
    interrupted(origin, target)
    warnings: list[str] = []
    fetch(origin.url, target, warn=warnings.append)
    assert origin.requests[1] == {"range": f"bytes={CUT_AT}-", "if_range": origin.tag, "status": 206}
    assert target.read_bytes() == origin.body and warnings == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["episode.mp3"]  # no .part, no .part.meta


def test_a_file_changed_between_attempts_is_downloaded_again_never_spliced(origin, tmp_path):
    target = tmp_path / "media" / "episode.mp3"
    interrupted(origin, target)
    first_tag = origin.tag
    origin.publish(os.urandom(250_000), version=2)
    warnings: list[str] = []
    fetch(origin.url, target, warn=warnings.append)
    # The resume asked for the rest of version 1 only; the server said no and sent the whole of version 2.
    assert origin.requests[1] == {"range": f"bytes={CUT_AT}-", "if_range": first_tag, "status": 200}
    assert target.read_bytes() == origin.body
    assert warnings == [f"{origin.url}: the file changed on the server since the download stopped; "
                        "downloaded again from the start"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["episode.mp3"]


def test_a_part_of_unknown_version_is_never_extended(origin, tmp_path):
    """A .part with no remembered validator (an older cxinsight, a server that sends none) starts again."""
    target = tmp_path / "media" / "episode.mp3"
    target.parent.mkdir()
    (target.parent / "episode.mp3.part").write_bytes(os.urandom(CUT_AT))  # not the start of this file
    fetch(origin.url, target)
    assert origin.requests == [{"range": None, "if_range": None, "status": 200}]
    assert target.read_bytes() == origin.body


def test_a_complete_part_is_finished_without_downloading_again(origin, tmp_path):
    target = tmp_path / "media" / "episode.mp3"
    interrupted(origin, target)
    with open(target.parent / "episode.mp3.part", "ab") as part:  # the last bytes came in before the kill
        part.write(origin.body[CUT_AT:])
    fetch(origin.url, target)
    assert origin.requests[1]["status"] == 416 and target.read_bytes() == origin.body
