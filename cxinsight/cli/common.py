"""Helpers every command shares: error handling, JSON output, settings and the read session."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys

import click

from cxinsight.errors import EXIT_BROKEN_PIPE, EXIT_PARTIAL, CxError


def _emit_json(payload) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@contextlib.contextmanager
def stdout_to_stderr(active: bool = True):
    """While libraries run (Ray, CTranslate2), anything they print goes to stderr, so --json stdout stays JSON."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def handle_errors(command):
    """One clear line and a documented exit code instead of a traceback (unless --verbose)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click prints these itself, with its own exit codes
        except CxError as exc:
            if ctx.obj.get("verbose"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; finished episodes are saved, re-run to resume.", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader went away (`cxinsight search ... --json | head`): stop quietly
            _quiet_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:  # a bug or an environment problem: still one line by default
            if ctx.obj.get("verbose"):
                raise
            full = _disk_full(ctx, exc)
            if full:  # the batch log, a download, the keyword index: whatever filled the disk, say that
                click.echo(f"Error: {full[1]}: {full[0]} ({exc.__class__.__name__}: {exc}); finished episodes are saved, "
                           "free some space and re-run to resume", err=True)
                ctx.exit(EXIT_PARTIAL)
            click.echo(f"Error: {exc.__class__.__name__}: {exc} (run with --verbose for the traceback)", err=True)
            ctx.exit(EXIT_PARTIAL)

    return wrapper


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what the closed pipe never took is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _disk_full(ctx, exc: Exception) -> tuple[str, str] | None:
    """(why, where) for errors a write can raise, only where the error itself says the disk is full."""
    import sqlite3

    if not isinstance(exc, (OSError, sqlite3.Error)):
        return None
    from cxinsight.store.diskspace import disk_full

    where = str(getattr(exc, "filename", None) or ctx.obj.get("store") or os.environ.get("CXINSIGHT_STORE") or ".")
    why = disk_full(where, exc, judge_by_free_space=False)
    return (why, where) if why else None


def _settings(ctx, **flags):
    from cxinsight.settings import load_settings

    return load_settings(ctx.obj["preset"], store=ctx.obj["store"], chroma_url=ctx.obj.get("chroma_url"),
                         taxonomy=ctx.obj["taxonomy"], **flags)


# Read commands (everything built on a Session) leave nothing to persist once their output is flushed and
# the session closed, so main() ends them with os._exit: the interpreter's own teardown of chromadb's
# ~900 modules costs ~0.3 s per cold command and does no work that matters here. The switch travels in
# the click context's obj (set by the command, read by main()), never in a module global.
def _session(ctx, **flags):
    from cxinsight.answer.session import Session

    session = Session(_settings(ctx, **flags))
    ctx.call_on_close(session.close)
    ctx.find_root().obj["fast_exit"] = True
    return session


def fast_exit_allowed(obj: dict) -> bool:
    """Only for commands that asked for it, never under a tracer/profiler (coverage, pdb, cProfile) or when disabled."""
    return (bool(obj.get("fast_exit")) and sys.gettrace() is None and sys.getprofile() is None
            and os.environ.get("CXINSIGHT_NO_FAST_EXIT") != "1")


def quick_exit(obj: dict, code: int) -> None:
    """Exit now if the command that ran allows it (see fast_exit_allowed); otherwise return."""
    if not fast_exit_allowed(obj):
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more can be written anyway
            pass
    os._exit(code)


def _llm_options(command):
    """--llm and --llm-base-url, for the commands with an LLM step."""
    command = click.option("--llm-base-url", default=None, metavar="URL",
                           help="Server for openai:/ollama: specs.  [env: OPENAI_BASE_URL]")(command)
    return click.option("--llm", default=None, metavar="SPEC",
                        help="none | openai:MODEL | ollama:MODEL | llamacpp:PATH.gguf.  [env: CXINSIGHT_LLM; default: none]")(command)
