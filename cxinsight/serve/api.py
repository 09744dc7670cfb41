"""The HTTP side of `cxinsight serve`: the CLI's JSON contract as an API, the page, the media and MCP.

Read-only by design: there is no route that ingests, renames or deletes. Every error is a JSON object
{"error": "...", "status": N} with the matching HTTP status and one log line; the server keeps serving.
"""


import contextlib
import hmac
import logging
import re
import tempfile
import time
from pathlib import Path
from typing import Literal

from cxinsight.errors import CxError, StoreError, UsageError
from cxinsight.serve.workspace import NotFound, Workspace

log = logging.getLogger("cxinsight.serve")
PAGE = Path(__file__).with_name("page")
MAX_QUERY_CHARS = 2000  # what the CLI accepts (answer/session.py)
MAX_URL_BYTES = 8192
MAX_BODY_BYTES = 64 * 1024
MEDIA_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".mp4": "video/mp4", ".wav": "audio/wav", ".flac": "audio/flac",
               ".ogg": "audio/ogg", ".opus": "audio/ogg", ".webm": "audio/webm", ".mkv": "video/x-matroska",
               ".mov": "video/quicktime"}
# The page's shell and the API's description hold no data; the page's API calls carry the token.
OPEN_PATHS = ("/", "/healthz", "/favicon.ico", "/docs", "/openapi.json")
OPEN_PREFIXES = ("/static/", "/docs-assets/")


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def create_app(workspace: Workspace, token: str | None = None, cors_origins: tuple[str, ...] = (), mcp=None):
    from fastapi import FastAPI, Query, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
    from fastapi.staticfiles import StaticFiles
    from pydantic import BaseModel, Field
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async with contextlib.AsyncExitStack() as stack:
            if mcp is not None:  # the MCP app's session manager lives as long as the server
                await stack.enter_async_context(mcp.router.lifespan_context(mcp))
            yield

    app = FastAPI(title="cxinsight", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Search and ask a cxinsight archive: every answer cites verbatim, timestamped quotes. "
                              "Read-only; the same JSON documents as the CLI's --json.")

    def error(status: int, message: str, request: Request, headers: dict | None = None) -> JSONResponse:
        log.warning("%s %s %s: %s", status, request.method, request.url.path, message)
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error(exc.status, str(exc), request)

    @app.exception_handler(CxError)
    async def _cx_error(request: Request, exc: CxError):
        if isinstance(exc, NotFound):
            return error(404, str(exc), request)
        if isinstance(exc, StoreError):
            return error(503, str(exc), request)
        return error(400 if isinstance(exc, UsageError) else 500, str(exc), request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in exc.errors()]
        return error(422, "; ".join(parts), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return error(exc.status_code, str(exc.detail), request)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        return error(500, f"{exc.__class__.__name__}: {exc}", request)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        """Size limits and the token, before any work; one log line per request that fails here."""
        started = time.perf_counter()
        if len(str(request.url)) > MAX_URL_BYTES:
            return error(414, f"the URL is {len(str(request.url))} bytes long; send long text as a JSON body (POST)", request)
        length = request.headers.get("content-length")
        if length is None and ("transfer-encoding" in request.headers or request.method in ("POST", "PUT", "PATCH")):
            # A chunked body could be any size: ask for one whose length is known before it is read.
            return error(411, f"send the request body with a Content-Length (at most {MAX_BODY_BYTES // 1024} KB)", request)
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return error(413, f"the request body is over {MAX_BODY_BYTES // 1024} KB", request)
        if token and not _open_path(request.url.path):
            given = _token_of(request)
            if not given:
                return error(401, "this server needs a token: send 'Authorization: Bearer TOKEN' or ?token=TOKEN", request)
            if not hmac.compare_digest(given.encode(), token.encode()):
                return error(401, "wrong token", request)
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])

    def text(value: str | None, what: str) -> str:
        value = " ".join((value or "").split())
        if not value:
            raise ApiError(400, f"the {what} is empty")
        if len(value) > MAX_QUERY_CHARS:
            raise ApiError(413, f"the {what} is {len(value)} characters long; keep it under {MAX_QUERY_CHARS}")
        return value

    class AskBody(BaseModel):
        question: str
        k: int | None = Field(default=None, ge=1, le=100)
        tactic: str | None = None
        episode: str | None = None

    class SearchBody(BaseModel):
        query: str
        k: int | None = Field(default=None, ge=1, le=100)
        tactic: str | None = None
        episode: str | None = None
        speaker: str | None = None

    K = Query(default=None, ge=1, le=100, description="How many passages (default 5).")

    @app.get("/api/ask", tags=["research"], summary="Answer a question with numbered, verbatim citations")
    async def ask(q: str = Query(..., description="The question."), k: int | None = K, tactic: str | None = None,
                  episode: str | None = None):
        return await workspace.acall(workspace.ask, text(q, "question"), k, tactic, episode)

    @app.post("/api/ask", tags=["research"], summary="Answer a question (JSON body)")
    async def ask_post(body: AskBody):
        return await workspace.acall(workspace.ask, text(body.question, "question"), body.k, body.tactic, body.episode)

    @app.get("/api/search", tags=["research"], summary="Ranked passages: keywords and meaning, fused")
    async def search(q: str = Query(..., description="The query."), k: int | None = K, tactic: str | None = None,
                     episode: str | None = None, speaker: str | None = None):
        return await workspace.acall(workspace.search, text(q, "query"), k, tactic, episode, speaker)

    @app.post("/api/search", tags=["research"], summary="Ranked passages (JSON body)")
    async def search_post(body: SearchBody):
        return await workspace.acall(workspace.search, text(body.query, "query"), body.k, body.tactic, body.episode,
                                     body.speaker)

    @app.get("/api/quotes", tags=["writing"], summary="Verbatim pull quotes, best first")
    async def quotes(episode: str | None = None, tactic: str | None = None, speaker: str | None = None,
                     min_words: int = Query(default=8, ge=1, le=200), n: int = Query(default=10, ge=1, le=1000)):
        return await workspace.acall(workspace.quotes, episode, tactic, speaker, min_words, n)

    @app.get("/api/tactics", tags=["research"], summary="Tactics across the archive")
    async def tactics(episode: str | None = None):
        return await workspace.acall(workspace.tactics, episode)

    @app.get("/api/tactics/chart.png", tags=["research"], summary="Tactic frequency and tactic x episode heat map")
    async def chart():
        with tempfile.TemporaryDirectory() as folder:
            path = await workspace.acall(workspace.chart_png, Path(folder) / "tactics.png")
            return Response(path.read_bytes(), media_type="image/png")

    @app.get("/api/episodes", tags=["research"], summary="The indexed episodes")
    async def episodes():
        return await workspace.acall(workspace.episodes)

    @app.get("/api/episodes/{episode_id}", tags=["research"], summary="One episode: speakers, sentences, tactic mentions")
    async def episode(episode_id: str):
        return await workspace.acall(workspace.episode, episode_id)

    @app.get("/api/episodes/{episode_id}/shownotes", tags=["writing"], summary="Show notes (JSON or Markdown)")
    async def shownotes(episode_id: str, format: Literal["json", "md"] = "json"):
        notes = await workspace.acall(workspace.shownotes, episode_id, format)
        if format == "md":
            return PlainTextResponse(notes, media_type="text/markdown; charset=utf-8",
                                     headers={"Content-Disposition": f'attachment; filename="{episode_id}-shownotes.md"'})
        return notes

    @app.get("/media/{episode_id}", tags=["media"], summary="An episode's own audio, with range requests")
    async def media(episode_id: str, request: Request):
        path = await workspace.acall(workspace.media_path, episode_id)
        size = path.stat().st_size
        problem = _range_problem(request.headers.get("range"), size)
        if problem:
            status, message = problem
            return error(status, message, request, headers={"Content-Range": f"bytes */{size}"} if status == 416 else None)
        return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"))

    @app.get("/healthz", include_in_schema=False)
    async def health():
        return {"ok": True, "reopened": workspace.reopened}

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(PAGE / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/docs", include_in_schema=False)
    async def docs():
        """Swagger UI 5 from the fastapi-offline package's files: FastAPI's default page loads it from a CDN."""
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(openapi_url="/openapi.json", title="cxinsight API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css", swagger_favicon_url="data:,")

    from importlib.resources import files

    app.mount("/docs-assets", StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")
    app.mount("/static", StaticFiles(directory=PAGE), name="static")
    if mcp is not None:  # the MCP app's own route (/mcp) joins ours, behind the same guard
        app.router.routes.extend(mcp.routes)
    return app


def _open_path(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _token_of(request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token", "")


_RANGE_PART = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def _range_problem(header: str | None, size: int) -> tuple[int, str] | None:
    """(status, message) for a Range header no byte of the file can answer; None when it can be served."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    parts = [_RANGE_PART.match(p) for p in spec.split(",")]
    if unit.strip() != "bytes" or not all(parts) or any(not m.group(1) and not m.group(2) for m in parts):
        return 400, f"malformed Range header '{header[:80]}'"
    for m in parts:
        start, end = m.group(1), m.group(2)
        if start and end and int(end) < int(start):
            return 400, f"malformed Range header '{header[:80]}'"
        if (start and int(start) < size) or (not start and int(end) > 0 and size > 0):
            return None
    return 416, f"range {spec.strip()[:80]} is past the end of the file ({size} bytes)"


def _version() -> str:
    from cxinsight import __version__

    return __version__
