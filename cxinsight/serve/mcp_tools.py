"""The MCP server: `cxinsight mcp` over stdio, and the same tools at /mcp on `cxinsight serve`.

Built on the official `mcp` SDK (MCPServer). Each tool returns the CLI's --json document, so an AI
assistant gets what a researcher gets: citations with episode, speaker, start/end seconds and the
verbatim quote.
"""

from __future__ import annotations

from typing import Any

from cxinsight.serve.workspace import Workspace

INSTRUCTIONS = (
    "Search and question an archive of customer-experience (CX) leader interviews. Answers and quotes are "
    "verbatim transcript sentences; cite them with their episode, speaker and timestamp. `ask` refuses "
    "(refused: true) when the archive holds no answer: say so instead of guessing."
)


def build_mcp(workspace: Workspace):
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    from cxinsight import __version__
    from cxinsight.errors import CxError

    async def run(fn, *args) -> dict[str, Any]:
        try:
            return await workspace.acall(fn, *args)
        except CxError as exc:  # bad input (unknown episode, empty question): the model reads the one line
            raise ToolError(str(exc)) from None

    server = MCPServer("cxinsight", version=__version__, instructions=INSTRUCTIONS)
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=read_only)
    async def ask(question: str, k: int | None = None, tactic: str | None = None, episode: str | None = None) -> dict[str, Any]:
        """Answer a question from the archive. Returns the answer text with [n] markers, `refused`, and
        `citations`: n, episode_id, title, speaker, start/end seconds and the verbatim quote."""
        return await run(workspace.ask, question, k, tactic, episode)

    @server.tool(annotations=read_only)
    async def search(query: str, k: int | None = None, tactic: str | None = None, episode: str | None = None,
                     speaker: str | None = None) -> dict[str, Any]:
        """Ranked transcript passages for a query (keywords and meaning, fused); each result is a citation:
        episode_id, title, speaker, start/end seconds, verbatim text and its tactics."""
        return await run(workspace.search, query, k, tactic, episode, speaker)

    @server.tool(annotations=read_only)
    async def quotes(episode: str | None = None, tactic: str | None = None, speaker: str | None = None,
                     limit: int = 10) -> dict[str, Any]:
        """Verbatim pull quotes, best first, each with speaker, organisation, episode, start/end and a deep link."""
        return await run(workspace.quotes, episode, tactic, speaker, 8, max(1, min(limit, 100)))

    @server.tool(annotations=read_only)
    async def episodes() -> dict[str, Any]:
        """The indexed episodes: id, title, show, guest, organisation, date, duration and tactics."""
        return await run(workspace.episodes)

    @server.tool(annotations=read_only)
    async def shownotes(episode: str) -> dict[str, Any]:
        """Show notes for one episode: summary sentences, chapters, key tactics and pull quotes, every one
        with its timestamp (all text verbatim from the transcript)."""
        return await run(workspace.shownotes, episode, "json")

    return server


def http_app(server):
    """The MCP tools as a Starlette app with the route /mcp (stateless JSON responses: no session to keep)."""
    return server.streamable_http_app(json_response=True, stateless_http=True)
