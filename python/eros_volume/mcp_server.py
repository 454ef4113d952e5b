"""`eros-volume mcp`: the legacy tools over the Model Context Protocol (SPEC 10).

The original system was an MCP server; its callers are agents. This serves the same tools, with
the original's names and input schemas, over stdio (default) or streamable HTTP on a loopback
port. Each result is the wrapper's dict, sent as JSON text (``json.dumps(result, indent=2,
default=str)``, as the original did) and as structured content. The legacy error dicts
(``{"error": ...}``) are results; an unknown tool or arguments that do not fit the input schema
(wrong type, missing, unknown) are protocol errors (-32602). Nothing here writes.

Adding a tool takes one decorated function::

    @tool(
        "get_volume_changes",
        "What changed in the published volumes ...",
        {"creator_id": OPTIONAL_CREATOR_ID, "since": {"type": "string", "description": "..."}},
    )
    def get_volume_changes(store, creator_id=None, since=None):
        return store.get_volume_changes(creator_id=creator_id, since=since)
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import jsonschema
import mcp_types as types
import pydantic
from anyio.streams.memory import MemoryObjectSendStream
from mcp.server import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage

from . import api
from .store import StoreUnavailable

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
PATH = "/mcp"

INSTRUCTIONS = (
    "Daily send volumes per creator page, computed by the eros-volume dbt project from the "
    "operational data. Start with get_volume_config for one creator's volumes; "
    "explain_volume says why; get_active_creators lists creators; get_creator_profile gives a "
    "creator's details. Read-only."
)

CREATOR_ID = {"type": "string", "description": "The creator_id or page_name"}


@dataclass(frozen=True)
class Tool:
    """One MCP tool: its listing and the wrapper call that answers it."""

    name: str
    description: str
    properties: dict[str, dict[str, Any]]
    required: tuple[str, ...]
    call: Callable[..., dict[str, Any]] = field(repr=False)

    @property
    def input_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": self.properties,
            "required": list(self.required),
            "additionalProperties": False,
        }

    def listing(self) -> types.Tool:
        return types.Tool(
            name=self.name,
            description=self.description,
            input_schema=self.input_schema,
            annotations=types.ToolAnnotations(read_only_hint=True, idempotent_hint=True),
        )


TOOLS: dict[str, Tool] = {}


def tool(
    name: str,
    description: str,
    properties: dict[str, dict[str, Any]] | None = None,
    required: tuple[str, ...] = (),
) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """Register ``call(store, **arguments) -> dict`` as the tool ``name``."""

    def register(call: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        TOOLS[name] = Tool(name, description, properties or {}, required, call)
        return call

    return register


def creator_tool(name: str, description: str) -> None:
    """Register the tool ``name`` of one argument, creator_id, answered by the VolumeStore method
    of the same name."""

    def call(store: api.VolumeStore, creator_id: str) -> dict[str, Any]:
        return getattr(store, name)(creator_id)

    tool(name, description, {"creator_id": CREATOR_ID}, ("creator_id",))(call)


creator_tool(
    "get_volume_config",
    "The creator's dynamic daily send volumes: volume_level (Low/Mid/High/Ultra), "
    "revenue/engagement/retention items per day (ppv_per_day and bump_per_day are the legacy "
    "copies), bundles and games per week, follow-ups per day, the saturation/opportunity scores "
    "and revenue trend used, where the scores came from (data_source, tracking_date), data "
    "quality flags and a one-sentence explanation. The tool to use for how much a creator "
    'should send. Unknown creator: {"error": "Creator not found: ..."}.',
)


creator_tool(
    "get_volume_assignment",
    "Deprecated: use get_volume_config. The legacy assignment shape (volume_level, "
    "ppv_per_day, bump_per_day, assigned_at, assigned_by, assigned_reason), now from the "
    "dynamic calculation, with _deprecated and _message. Only for callers of the old shape.",
)


@tool(
    "get_active_creators",
    'Active creators ordered by current total earnings, as {"creators": [...], "count": n}: '
    "ids, page names, page type, subscription price, timezone, group, fans, earnings, "
    "performance tier and persona (tone, emoji frequency, slang level); no volumes (use "
    "get_volume_config). Optional filters: tier, page_type.",
    {
        "tier": {
            "type": ["integer", "string"],
            "description": "Filter by performance tier: an integer 1-5 (performance_tier), or a "
            "volume level name Low, Mid, High or Ultra (any case) for the dynamic volume_level",
        },
        "page_type": {
            "type": "string",
            "enum": ["paid", "free"],
            "description": "Filter by page type",
        },
    },
)
def get_active_creators(
    store: api.VolumeStore, tier: int | str | None = None, page_type: str | None = None
) -> dict[str, Any]:
    return store.get_active_creators(tier=tier, page_type=page_type)


creator_tool(
    "get_creator_profile",
    'One creator in full: {"creator": all creator columns, "analytics_summary": 30-day '
    'message totals and rates or null, "volume_assignment": the get_volume_config result, '
    '"top_content_types": [...]}.',
)


creator_tool(
    "explain_volume",
    "Why a creator gets its volumes: the explanation sentence (tier and fan-count bracket, "
    "base volumes, each multiplier and the rule that set it, the trend step, caps, data source "
    "and flags), the full volume configuration, the rule thresholds and multipliers of the "
    "build (rule_thresholds) and the tier brackets of the creator's page type (tier_brackets).",
)


@tool(
    "get_volume_changes",
    "What changed in the published volumes and why (SPEC 9): "
    '{"changes": [...], "count": n}, one row per creator that is new or whose level, items per '
    "day, follow-ups, bundles or games moved since its previous publication, with old_/new_ "
    "values, changed_fields and a reason sentence (tier, multiplier band, trend step, cap, data "
    "source, stability rule). Without since: the serving publication's changes; with since: "
    "those of every publication of that day or later. Optionally of one creator.",
    {
        "creator_id": {"type": "string", "description": "The creator_id or page_name (optional)"},
        "since": {
            "type": "string",
            "description": "A day YYYY-MM-DD: the changes of every publication since then",
        },
    },
)
def get_volume_changes(
    store: api.VolumeStore, creator_id: str | None = None, since: str | None = None
) -> dict[str, Any]:
    return store.get_volume_changes(creator_id=creator_id, since=since)


def checked_arguments(name: str, arguments: dict[str, Any] | None) -> tuple[Tool, dict[str, Any]]:
    """The tool and its arguments, or an INVALID_PARAMS protocol error. An argument given as
    null counts as not given; a value outside an enum is left to the wrapper, whose legacy
    error dict is the answer (as the original's was)."""
    found = TOOLS.get(name)
    if found is None:
        raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool: {name}")
    given = {key: value for key, value in (arguments or {}).items() if value is not None}
    validator = jsonschema.Draft202012Validator(found.input_schema)
    errors = [error for error in validator.iter_errors(given) if error.validator != "enum"]
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        where = ".".join(str(part) for part in error.absolute_path)
        message = f"Invalid arguments for {name}: {f'{where}: ' if where else ''}{error.message}"
        raise MCPError(code=types.INVALID_PARAMS, message=message)
    return found, given


def tool_result(result: dict[str, Any]) -> types.CallToolResult:
    """The wrapper's dict as JSON text (the original's format) and as structured content."""
    text = json.dumps(result, indent=2, default=str)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=json.loads(text),
    )


def make_server(db: str | Path | None = None) -> Server:
    """The MCP server over the build file ``db`` (default ``$EROS_VOLUME_DB`` or build/...)."""
    store = api.connect(db)

    async def list_tools(
        ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[entry.listing() for entry in TOOLS.values()])

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        found, arguments = checked_arguments(params.name, params.arguments)
        answer = functools.partial(found.call, store, **arguments)
        try:
            return tool_result(await anyio.to_thread.run_sync(answer))
        except StoreUnavailable as exc:
            text = f"eros-volume: {exc}"
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=text)], is_error=True
            )

    def input_schema(name: str) -> dict[str, Any] | None:
        return TOOLS[name].input_schema if name in TOOLS else None

    return Server(
        "eros-volume",
        version=metadata.version("eros-volume"),
        instructions=INSTRUCTIONS,
        get_tool_input_schema=input_schema,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def quiet_deprecation() -> None:
    """get_volume_assignment's DeprecationWarning is for Python callers; over MCP the answer says
    so itself (_deprecated, _message), and the warning must never turn into an error (e.g. under
    PYTHONWARNINGS=error)."""
    warnings.filterwarnings(
        "ignore", message="get_volume_assignment is deprecated", category=DeprecationWarning
    )


def bad_line_error(exc: Exception) -> types.JSONRPCError:
    """The JSON-RPC answer to a line that is no message (the SDK drops those unanswered, and a
    client would wait forever): -32700 when it is not JSON, else -32600 with the request's id
    when it has one."""
    errors = exc.errors() if isinstance(exc, pydantic.ValidationError) else []
    if any(error["type"] == "json_invalid" for error in errors):
        return types.JSONRPCError(
            jsonrpc="2.0",
            id=None,
            error=types.ErrorData(code=types.PARSE_ERROR, message="Parse error"),
        )
    ids = [e["input"].get("id") for e in errors if isinstance(e.get("input"), dict)]
    request_id = next(
        (i for i in ids if isinstance(i, str | int) and not isinstance(i, bool)), None
    )
    error = types.ErrorData(code=types.INVALID_REQUEST, message="Invalid Request")
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=error)


async def answer_bad_lines(
    lines: Any, messages: MemoryObjectSendStream[SessionMessage | Exception], replies: Any
) -> None:
    """Pass the messages read on stdin to the server; answer the lines that are none."""
    async with messages:
        async for item in lines:
            if isinstance(item, Exception):
                await replies.send(SessionMessage(bad_line_error(item)))
            else:
                await messages.send(item)


def serve_stdio(db: str | Path | None = None) -> None:
    """Serve on stdin/stdout until the client closes them."""
    quiet_deprecation()
    server = make_server(db)

    async def run() -> None:
        async with stdio_server() as (lines, replies), anyio.create_task_group() as group:
            messages, received = anyio.create_memory_object_stream[SessionMessage | Exception]()
            group.start_soon(answer_bad_lines, lines, messages, replies)
            await server.run(received, replies, server.create_initialization_options())

    anyio.run(run)


def serve_http(db: str | Path | None = None, port: int = DEFAULT_PORT) -> None:
    """Serve streamable HTTP on http://127.0.0.1:<port>/mcp until interrupted."""
    import uvicorn

    quiet_deprecation()
    app = make_server(db).streamable_http_app(streamable_http_path=PATH, host=HOST)
    print(f"eros-volume: MCP (streamable HTTP) on http://{HOST}:{port}{PATH}", file=sys.stderr)
    uvicorn.run(app, host=HOST, port=port, log_level="warning")
