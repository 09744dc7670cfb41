"""A built wheel installs anywhere: prompts ship as package data, and ingest + ask work outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

from tests.conftest import CORPUS, ROOT
from tests.helpers import run_checked


def test_wheel_carries_prompts_and_runs_outside_the_checkout(tmp_path):
    dist, target, elsewhere = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    # Build from a copy of the tracked files, so the checkout's build/ and egg-info are neither used nor touched.
    source = tmp_path / "src"
    files = run_checked(["git", "ls-files", "-co", "--exclude-standard"], "git ls-files", cwd=ROOT).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    run_checked([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)],
                "pip wheel", timeout=300)
    wheel = next(dist.glob("cxinsight-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n for n in names if n.startswith("cxinsight/prompts/") and n.endswith(".yaml"))
    assert shipped == sorted(f"cxinsight/prompts/{p.name}" for p in (ROOT / "prompts").glob("*.yaml"))

    run_checked([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                "pip install --target", timeout=300)
    elsewhere.mkdir()
    shutil.copy(CORPUS / "03-skylark-disruption.vtt", elsewhere / "skylark.vtt")
    env = {**os.environ, "PYTHONPATH": str(target), "CXINSIGHT_STORE": str(elsewhere / "store")}
    env.pop("CXINSIGHT_PROMPTS", None)

    def cx(*args: str) -> subprocess.CompletedProcess:
        return run_checked([sys.executable, "-m", "cxinsight", *args], f"cxinsight {args[0]}", cwd=elsewhere, env=env,
                           timeout=600)

    where = run_checked([sys.executable, "-c", "import cxinsight, cxinsight.prompts as p; print(cxinsight.__file__)"],
                        "import", cwd=elsewhere, env=env).stdout
    assert where.startswith(str(target)), where  # the installed wheel, not the checkout
    ingested = json.loads(cx("ingest", str(elsewhere / "skylark.vtt"), "--json").stdout)
    assert [o["status"] for o in ingested["outcomes"]] == ["indexed"]
    answer = json.loads(cx("ask", "What did the airline do about its legacy surveys?", "--json").stdout)
    assert not answer["refused"] and answer["citations"][0]["episode_id"] == "skylark"
