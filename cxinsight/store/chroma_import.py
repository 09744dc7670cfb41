"""Import chromadb without the `overrides` package's class-definition checks.

chromadb marks ~160 methods with `@override`, and that decorator validates each signature against
the base class by disassembling the caller's bytecode as the class is defined: about 0.4 s of the
~1.6 s chromadb import on a 2-core machine, paid by every cold `cxinsight ask`. The check changes
nothing once the classes exist (the decorator returns the method itself), so during chromadb's
import it is swapped for one that only marks the method, then restored for any other user.
Only for the chromadb versions this was measured and tested on; any other version imports plainly.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

# chromadb releases whose import was measured with the swap (tests/test_startup.py checks the restore).
TESTED_CHROMADB = ((1, 0), (1, 6))  # from 1.0 up to, not including, 1.6


def _tested_version() -> bool:
    try:
        major, minor = (int(part) for part in version("chromadb").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return TESTED_CHROMADB[0] <= (major, minor) < TESTED_CHROMADB[1]


def _mark_only(method=None, **_options):
    if method is None:  # used as @override(check_signature=False)
        return _mark_only
    method.__override__ = True  # what EnforceOverrides looks for
    return method


def import_chromadb():
    if "chromadb" in sys.modules:
        return sys.modules["chromadb"]
    try:
        import overrides
    except ImportError:  # a chromadb without that dependency: nothing to skip
        overrides = None
    if overrides is None or not _tested_version():
        import chromadb

        return chromadb
    module = sys.modules["overrides.overrides"]  # the package's `overrides` attribute is the function, not this
    saved = (overrides.override, overrides.overrides, module.override, module.overrides)
    overrides.override = overrides.overrides = module.override = module.overrides = _mark_only
    try:
        import chromadb
    finally:
        overrides.override, overrides.overrides, module.override, module.overrides = saved
    return chromadb
