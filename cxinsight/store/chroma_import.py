"""Import chromadb without the `overrides` package's class-definition checks.

chromadb marks ~160 methods with `@override`, and that decorator validates each signature against
the base class by disassembling the caller's bytecode as the class is defined: about 0.4 s of the
~1.6 s chromadb import on a 2-core machine, paid by every cold `cxinsight ask`. The check changes
nothing once the classes exist (the decorator returns the method itself), so during chromadb's
import it is swapped for one that only marks the method, then restored for any other user.
"""

from __future__ import annotations

import sys


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
