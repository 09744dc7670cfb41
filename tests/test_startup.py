"""A cold `cxinsight ask` as users run it: a fresh process, lazy heavy imports, complete output."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_cold_ask_process_prints_complete_json_and_skips_heavy_imports(corpus_store):
    # The imports a cold ask should never pay for: Whisper, torch, LangChain.
    code = (
        "import sys\n"
        "sys.argv = ['cxinsight', '--store', sys.argv[1], 'ask', 'How do CX leaders get middle managers on board?', '--json']\n"
        "import cxinsight.cli.app as cli\n"
        "real_exit = cli.quick_exit\n"
        "def report(obj, code):\n"
        "    heavy = sorted(m for m in ('torch', 'whisper', 'faster_whisper', 'langchain_core', 'ctranslate2') if m in sys.modules)\n"
        "    sys.stderr.write('HEAVY=' + ','.join(heavy) + '\\n')\n"
        "    real_exit(obj, code)\n"
        "cli.quick_exit = report\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(corpus_store)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)  # all of it, though the process ends with os._exit
    assert not answer["refused"] and answer["citations"]
    assert "HEAVY=\n" in done.stderr


def test_chromadb_import_restores_the_overrides_decorator():
    code = (
        "import overrides, overrides.overrides\n"
        "import sys\n"
        "before = overrides.override\n"
        "from cxinsight.store.chroma_import import import_chromadb\n"
        "chromadb = import_chromadb()\n"
        "module = sys.modules['overrides.overrides']\n"
        "assert overrides.override is before and module.override is before and overrides.overrides is module.overrides\n"
        "assert chromadb.PersistentClient and chromadb.config.Settings\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


def test_fast_exit_only_for_read_commands_and_never_under_a_tracer(monkeypatch):
    from cxinsight.cli.common import fast_exit_allowed

    monkeypatch.delenv("CXINSIGHT_NO_FAST_EXIT", raising=False)
    previous = sys.gettrace()
    sys.settrace(None)  # pytest's own tracing (coverage, a debugger) would hide the allowed case
    try:
        assert fast_exit_allowed({"fast_exit": True}) and not fast_exit_allowed({})
        sys.settrace(lambda *args: None)
        assert not fast_exit_allowed({"fast_exit": True})
        sys.settrace(None)
        monkeypatch.setenv("CXINSIGHT_NO_FAST_EXIT", "1")
        assert not fast_exit_allowed({"fast_exit": True})
    finally:
        sys.settrace(previous)


def test_a_reader_that_stops_reading_ends_the_command_quietly(corpus_store):
    """`cxinsight episodes --json | head -c 1`: the pipe closes before the output is written; no error line."""
    process = subprocess.Popen([sys.executable, "-m", "cxinsight", "--store", str(corpus_store), "episodes", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    process.stdout.close()  # the reader is gone before the command prints anything
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141, stderr
    assert stderr == ""
