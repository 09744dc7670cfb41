"""Word documents (.docx): how Rev, Otter, Descript and Trint hand transcripts to producers.

The document's paragraphs, in order (a table's cells too, row by row), become plain-text paragraphs for
plaintext.py, so a service's headers ("Speaker 1 (00:00:05):", "Jane Doe  0:05") and `Name: text` turns
are read as they are in a .txt export. Line breaks inside a paragraph stay line breaks.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cxinsight.errors import InputError


def docx_text(path: Path) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(path, f"not a readable Word document ({exc.__class__.__name__}: {exc})") from None
    paragraphs: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            paragraphs += [p.text for row in block.rows for cell in row.cells for p in cell.paragraphs]
        else:
            paragraphs.append(block.text)
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())
