"""Batch manifests: a YAML list or a CSV table, one episode per row.

Columns: `path` (a local file, relative to the manifest, or an http/https URL to
download), optional `id`, and metadata: title, show, guest, host, organisation,
date, url (the episode's web page, used for deep links), link_template.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cxinsight.errors import InputError
from cxinsight.models import EpisodeMeta
from cxinsight.sources.items import BatchItem
from cxinsight.sources.metadata import episode_id_for, slugify
from cxinsight.sources.textfile import read_text

_META = set(EpisodeMeta.model_fields)


def _rows(path: Path) -> list[dict]:
    text = read_text(path)
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "path" not in [f.strip() for f in reader.fieldnames]:
            raise InputError(path, "manifest CSV needs a header row with a 'path' column")
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(path, f"invalid YAML manifest: {getattr(exc, 'problem', None) or exc}") from None
    if isinstance(data, dict):
        data = data.get("episodes")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(path, "manifest YAML must be a list of episodes (or 'episodes:' with a list)")
    return [{str(k): "" if v is None else str(v) for k, v in row.items()} for row in data]


def read_manifest(path: Path) -> list[BatchItem]:
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such manifest file")
    items = []
    for number, row in enumerate(_rows(path), start=2 if path.suffix.lower() == ".csv" else 1):
        where = f"{path.name} row {number}"
        target = row.get("path", "")
        overrides = {k: v for k, v in row.items() if k in _META and v}
        if not target:
            items.append(BatchItem(where, f"row-{number}", error=f"{where}: no 'path' given"))
            continue
        if target.lower().startswith(("http://", "https://")):
            episode_id = slugify(row.get("id") or overrides.get("title") or Path(target).stem)
            items.append(BatchItem(f"{where} ({target})", episode_id, url=target, overrides=overrides))
            continue
        local = (path.parent / target).resolve() if not Path(target).is_absolute() else Path(target)
        episode_id = slugify(row["id"]) if row.get("id") else episode_id_for(local)
        item = BatchItem(f"{where} ({target})", episode_id, path=local, overrides=overrides)
        if not local.is_file():
            item.error = f"{where}: no such file '{target}'"
        items.append(item)
    return items
