"""Where the editable data lives: prompts/ (tactics.yaml and the prompt files).

A user copy wins: `CXINSIGHT_PROMPTS=DIR` (or `--taxonomy FILE` for the taxonomy alone).
Otherwise the files shipped with the package are used: in a checkout they are the
top-level prompts/ folder itself; in a built wheel the same files are package data of
`cxinsight.prompts` (setup.py maps the folder), found with importlib.resources.
"""

from __future__ import annotations

import os
from pathlib import Path


def prompts_dir() -> Path:
    if os.environ.get("CXINSIGHT_PROMPTS"):
        return Path(os.environ["CXINSIGHT_PROMPTS"]).expanduser()
    from importlib.resources import files

    return Path(str(files("cxinsight.prompts")))


def default_taxonomy_path() -> Path:
    return prompts_dir() / "tactics.yaml"
