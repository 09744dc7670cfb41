"""Crash points for the crash-safety tests (test-only: never set in normal use).

CXINSIGHT_TEST_FAILPOINT=NAME[:N] makes the process SIGKILL itself the Nth time (default 1st)
it reaches the point NAME, the same as a power cut there. Unset, this costs one dict lookup.
NAME:N:stop sends SIGSTOP instead (the whole process freezes, as under a debugger or a VM pause)
and goes on where it stopped once a test sends SIGCONT. NAME `any` counts the reaches of every
point together, so a soak (bench/crash_soak.py) can kill at a random one of them.
Points, in the order an episode reaches them: transcribe (after an audio chunk), extract (after
tactic extraction), cleanup (a leftover's passages deleted, its mentions and keyword rows not yet;
also after each commit), journal (the write named in the journal, no row written), index (passages
written), mentions (mentions written, episode not yet committed), commit (committed, old rows not yet
deleted); recover (a killed write's rows deleted, its journal entry not yet).
"""

from __future__ import annotations

import os
import signal

_hits: dict[str, int] = {}


def reach(name: str) -> None:
    spec = os.environ.get("CXINSIGHT_TEST_FAILPOINT")
    if not spec:
        return
    point, _, rest = spec.partition(":")
    if point not in (name, "any"):
        return
    nth, _, action = rest.partition(":")
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] == int(nth or 1):  # once: a killed process never comes back, a stopped one goes on
        os.kill(os.getpid(), signal.SIGSTOP if action == "stop" else signal.SIGKILL)
