"""`cxinsight serve` (HTTP API, web page, MCP at /mcp) and `cxinsight mcp` (MCP over stdio)."""

from __future__ import annotations

import ipaddress
import logging
import sys

import click

from cxinsight.cli.common import _settings, handle_errors
from cxinsight.errors import UsageError


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0 = any free port).")
@click.option("--token", envvar="CXINSIGHT_TOKEN", default=None, metavar="TOKEN",
              help="Require 'Authorization: Bearer TOKEN' (or ?token=TOKEN) on the API, media and MCP.  [env: CXINSIGHT_TOKEN]")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Allow browser pages from this origin to call the API (repeatable). Off by default.")
@click.option("--no-mcp", is_flag=True, help="Do not serve the MCP tools at /mcp.")
@click.pass_context
@handle_errors
def serve(ctx, host, port, token, cors_origins, no_mcp):
    """Serve the archive: a web page, an HTTP API and MCP tools, from one warm process.

    The models and the store are opened once, so a question costs milliseconds
    instead of a cold start. Read-only: nothing can be ingested or changed over
    HTTP. An ingest into the same store goes on meanwhile: the server lets go of
    the store while a commit is written and sees the new episodes after it.

    \b
    Open http://127.0.0.1:8765/ for the page: ask and search with citations that
    play the audio from the cited second, episodes with speakers and tactic
    highlights, the tactics dashboard, and a quote board that downloads Markdown.
    The API (the CLI's --json documents) is described at /docs; MCP is at /mcp.

    \b
    Examples:
      cxinsight serve
      cxinsight serve --host 0.0.0.0 --port 8080 --token "$(openssl rand -hex 16)"
    """
    if not _loopback(host) and not token:
        raise UsageError(f"--host {host} listens beyond this machine: add --token TOKEN (or CXINSIGHT_TOKEN)")
    import uvicorn

    from cxinsight.serve.api import create_app
    from cxinsight.serve.workspace import Workspace

    sock = _listen(host, port)  # before anything loads: a busy port is one line, not a traceback
    _log_to_stderr()
    workspace = Workspace(_settings(ctx))
    click.echo("cxinsight: loading the store and models…", err=True)
    workspace.start()
    mcp = None
    if not no_mcp:
        from cxinsight.serve.mcp_tools import build_mcp, http_app

        mcp = http_app(build_mcp(workspace))
    app = create_app(workspace, token=token, cors_origins=tuple(cors_origins), mcp=mcp)
    config = uvicorn.Config(app, log_level="warning", access_log=False, http="h11",
                            h11_max_incomplete_event_size=256 * 1024)  # a long URL reaches the app, which says 414
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"cxinsight: serving http://{shown}:{bound}/ (API docs /docs, MCP /mcp); Ctrl-C stops", err=True)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        workspace.close()


def _listen(host: str, port: int):
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick another --port, "
                         "or --port 0 for any free one") from None
    return sock


@click.command("mcp")
@click.pass_context
@handle_errors
def mcp_command(ctx):
    """Serve the archive's tools to an AI assistant over stdio (Model Context Protocol).

    Tools: ask, search, quotes, episodes, shownotes; every result carries its
    citations (episode, speaker, start/end seconds, verbatim quote).

    \b
    In an MCP client's configuration:
      {"command": "cxinsight", "args": ["--store", "/path/to/.cxinsight", "mcp"]}
    """
    from cxinsight.serve.mcp_tools import build_mcp
    from cxinsight.serve.workspace import Workspace

    _log_to_stderr()
    workspace = Workspace(_settings(ctx))
    workspace.start()  # a bad store fails here, in one line, before the client is told anything
    try:
        build_mcp(workspace).run("stdio")
    finally:
        workspace.close()


def _log_to_stderr() -> None:
    """One line per failed request on stderr (stdout is MCP's channel under `cxinsight mcp`)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("cxinsight.serve")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the MCP SDK puts a handler on the root logger; one line per event is enough
    for chatty in ("mcp", "mcp.server", "mcp.server.streamable_http_manager"):  # session start/stop notices
        logging.getLogger(chatty).setLevel(logging.WARNING)
