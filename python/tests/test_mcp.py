"""`eros-volume mcp` with a real MCP client (SPEC 10): the server runs as a subprocess and the SDK's
client talks to it over stdio and over streamable HTTP on 127.0.0.1. Tools and input schemas as
the original's; results equal the wrapper's, as JSON text and structured content; bad argument
values give the legacy error dicts as results; malformed calls give protocol errors and the server
keeps answering; concurrent calls during three rebuilds each come whole from one build."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

import eros_volume

EROS = str(Path(sys.executable).with_name("eros-volume"))
INVALID_PARAMS = -32602

CREATOR_ID = {"type": "string", "description": "The creator_id or page_name"}
BY_CREATOR = {
    "type": "object",
    "properties": {"creator_id": CREATOR_ID},
    "required": ["creator_id"],
    "additionalProperties": False,
}
SCHEMAS = {
    "get_volume_config": BY_CREATOR,
    "get_volume_assignment": BY_CREATOR,
    "get_active_creators": {
        "type": "object",
        "properties": {
            "tier": {
                "type": ["integer", "string"],
                "description": "Filter by performance tier: an integer 1-5 (performance_tier), "
                "or a volume level name Low, Mid, High or Ultra (any case) for the dynamic "
                "volume_level",
            },
            "page_type": {
                "type": "string",
                "enum": ["paid", "free"],
                "description": "Filter by page type",
            },
        },
        "required": [],
        "additionalProperties": False,
    },
    "get_creator_profile": BY_CREATOR,
    "explain_volume": BY_CREATOR,
    "get_volume_changes": {
        "type": "object",
        "properties": {
            "creator_id": {
                "type": "string",
                "description": "The creator_id or page_name (optional)",
            },
            "since": {
                "type": "string",
                "description": "A day YYYY-MM-DD: the changes of every publication since then",
            },
        },
        "required": [],
        "additionalProperties": False,
    },
}

# (tool, arguments): good ones, and bad values whose answer is a legacy error dict.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_volume_config", {"creator_id": "grace_bennett"}),
    ("get_volume_config", {"creator_id": "gracebennett"}),
    ("get_volume_config", {"creator_id": "nobody"}),
    ("get_volume_config", {"creator_id": ""}),
    ("get_volume_config", {"creator_id": "x" * 101}),
    ("get_volume_config", {"creator_id": "grace bennett;"}),
    ("get_volume_assignment", {"creator_id": "grace_bennett"}),
    ("get_volume_assignment", {"creator_id": "nobody"}),
    ("get_active_creators", {}),
    ("get_active_creators", {"tier": 1}),
    ("get_active_creators", {"tier": 9}),
    ("get_active_creators", {"tier": "high"}),
    ("get_active_creators", {"tier": "Ultra", "page_type": "paid"}),
    ("get_active_creators", {"tier": "Gold"}),
    ("get_active_creators", {"page_type": "free"}),
    ("get_active_creators", {"page_type": "vip"}),
    ("get_active_creators", {"tier": None, "page_type": None}),
    ("get_creator_profile", {"creator_id": "grace_bennett"}),
    ("get_creator_profile", {"creator_id": "nobody"}),
    ("explain_volume", {"creator_id": "hannah_brooks"}),
    ("explain_volume", {"creator_id": "nobody"}),
    ("get_volume_changes", {}),
    ("get_volume_changes", {"creator_id": "grace_bennett", "since": "2025-01-01"}),
    ("get_volume_changes", {"creator_id": "nobody"}),
    ("get_volume_changes", {"since": "yesterday"}),
]

# Malformed calls: each a protocol error (-32602) naming the problem.
MALFORMED: list[tuple[str, dict[str, Any], str]] = [
    ("get_volume_ratio", {"creator_id": "grace_bennett"}, "Unknown tool: get_volume_ratio"),
    ("get_volume_config", {}, "'creator_id' is a required property"),
    ("get_volume_config", {"creator_id": 7}, "creator_id: 7 is not of type 'string'"),
    ("get_creator_profile", {"creator_id": ["a"]}, "is not of type 'string'"),
    ("get_active_creators", {"tier": 1.5}, "tier: 1.5 is not of type 'integer', 'string'"),
    ("get_active_creators", {"tier": True}, "is not of type 'integer', 'string'"),
    ("get_active_creators", {"page_type": 1}, "page_type: 1 is not of type 'string'"),
    ("explain_volume", {"creator_id": "a", "as_of": "x"}, "('as_of' was unexpected)"),
]


def wrapper_answer(db: Path, tool: str, arguments: dict[str, Any]) -> Any:
    """The wrapper's answer, in the form JSON gives it back."""
    store = eros_volume.connect(db)
    given = {key: value for key, value in arguments.items() if value is not None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        answer = getattr(store, tool)(**given)
    return answer


def stdio(db: Path, **env: str) -> Client:
    """A client of `eros-volume mcp` started as a subprocess, configured as docs/mcp.md says."""
    params = StdioServerParameters(
        command=EROS, args=["mcp"], env={"EROS_VOLUME_DB": str(db), **env}
    )
    return Client(params, cache=None, read_timeout_seconds=60)


def run(client: Client, session: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with client:
            return await session(client)

    return anyio.run(main)


async def check_calls(client: Client, db: Path) -> None:
    for tool, arguments in CALLS:
        result = await client.call_tool(tool, arguments)
        expected = wrapper_answer(db, tool, arguments)
        assert not result.is_error, (tool, arguments)
        assert [block.type for block in result.content] == ["text"]
        assert result.content[0].text == json.dumps(expected, indent=2, default=str)
        assert result.structured_content == json.loads(result.content[0].text)


async def check_malformed(client: Client) -> None:
    for tool, arguments, message in MALFORMED:
        with pytest.raises(MCPError) as error:
            await client.call_tool(tool, arguments)
        assert error.value.code == INVALID_PARAMS, (tool, arguments)
        assert message in str(error.value), (tool, arguments, str(error.value))
    # Still serving.
    result = await client.call_tool("get_volume_config", {"creator_id": "grace_bennett"})
    assert result.structured_content["volume_level"] == "High"


@pytest.fixture(scope="module")
def served(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mcp") / "eros_volume.duckdb"
    shutil.copyfile(demo_db, path)
    return path


def test_tools_as_the_original_lists_them(served: Path) -> None:
    tools = run(stdio(served), lambda client: client.list_tools()).tools
    assert [t.name for t in tools] == list(SCHEMAS)
    assert {t.name: t.input_schema for t in tools} == SCHEMAS
    assert all(t.annotations.read_only_hint for t in tools)
    assert all(len(t.description) > 80 for t in tools)
    assert tools[1].description.startswith("Deprecated: use get_volume_config.")


def test_each_call_answers_what_the_wrapper_answers(served: Path) -> None:
    run(stdio(served), lambda client: check_calls(client, served))


def test_answers_hold_the_builds_values(served: Path) -> None:
    async def session(client: Client) -> list[Any]:
        calls = [
            ("get_volume_config", {"creator_id": "gracebennett"}),
            ("get_volume_assignment", {"creator_id": "grace_bennett"}),
            ("get_active_creators", {"tier": "HIGH", "page_type": "paid"}),
            ("explain_volume", {"creator_id": "grace_bennett"}),
            ("get_volume_config", {"creator_id": ""}),
            ("get_volume_config", {"creator_id": "nobody"}),
            ("get_active_creators", {"page_type": "vip"}),
            ("get_active_creators", {"tier": "Gold"}),
        ]
        return [(await client.call_tool(*call)).structured_content for call in calls]

    config, assignment, high, explained, empty, unknown, vip, gold = run(stdio(served), session)
    assert (config["creator_id"], config["volume_level"]) == ("grace_bennett", "High")
    assert (config["ppv_per_day"], config["bump_per_day"], config["tracking_date"]) == (
        4,
        3,
        "2025-12-15",
    )
    assert assignment["_deprecated"] is True
    assert assignment["assigned_by"] == "dynamic_calculation"
    assert high["count"] == len(high["creators"]) > 0
    assert "grace_bennett" in [c["creator_id"] for c in high["creators"]]
    assert explained["explanation"].startswith("High (12,434 fans >= 5,000): base 4/3/2;")
    thresholds = {t["threshold_name"]: t["threshold_value"] for t in explained["rule_thresholds"]}
    assert thresholds["saturation_high_above"] == 70.0
    assert thresholds["opportunity_medium_multiplier"] == 1.1
    assert [(b["volume_level"], b["min_fans"]) for b in explained["tier_brackets"]] == [
        ("Ultra", 15000),
        ("High", 5000),
        ("Mid", 3000),
        ("Mid", 1000),
        ("Low", 500),
        ("Low", 0),
    ]
    assert set(empty) == {"error"} and empty["error"].startswith("Invalid creator_id")
    assert unknown == {"error": "Creator not found: nobody"}
    assert vip == {"error": "page_type must be 'paid' or 'free'"}
    assert gold == {
        "error": "tier must be an integer performance tier or one of Low, Mid, High, Ultra"
    }


def test_malformed_calls_are_protocol_errors(served: Path) -> None:
    run(stdio(served), check_malformed)


def test_deprecation_warning_never_breaks_the_server(served: Path) -> None:
    async def session(client: Client) -> Any:
        return await client.call_tool("get_volume_assignment", {"creator_id": "grace_bennett"})

    result = run(stdio(served, PYTHONWARNINGS="error::DeprecationWarning"), session)
    assert not result.is_error
    assert result.structured_content["_deprecated"] is True


def test_no_build_is_a_tool_error_not_a_crash(tmp_path: Path) -> None:
    async def session(client: Client) -> Any:
        first = await client.call_tool("get_volume_config", {"creator_id": "grace_bennett"})
        tools = await client.list_tools()
        return first, len(tools.tools)

    result, count = run(stdio(tmp_path / "never_built.duckdb"), session)
    assert result.is_error
    assert "run `eros-volume build` first" in result.content[0].text
    assert count == len(SCHEMAS)


def test_malformed_lines_get_json_rpc_errors(served: Path) -> None:
    """Below the client: raw lines, some not JSON or not a JSON-RPC request; each request gets an
    answer (none is dropped, so no client waits forever), and the server keeps serving."""
    process = subprocess.Popen(
        [EROS, "mcp", "--db", str(served)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    initialize = {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    }
    call = {"name": "get_volume_config", "arguments": {"creator_id": "grace_bennett"}}
    lines = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        "{not json",
        "[]",
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": "get_volume_config"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "x"}},
        {"jsonrpc": "2.0", "id": 4, "method": "no/such/method"},
        {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"arguments": {}}},
        {"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": call},
    ]
    assert process.stdin is not None and process.stdout is not None
    for line in lines:  # one at a time, as a client would
        process.stdin.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
        process.stdin.flush()
    answers: list[dict[str, Any]] = []
    deadline = threading.Timer(60, process.kill)  # a missing answer fails, never hangs
    deadline.start()
    try:
        while len(answers) < 8:  # every line but the notification (in any order)
            answers.append(json.loads(process.stdout.readline()))
        process.stdin.close()  # the server stops at EOF
    finally:
        deadline.cancel()
    assert process.wait(timeout=60) == 0
    errors = sorted(
        ((a["id"] if a["id"] is not None else 0), a["error"]["code"])
        for a in answers[1:]
        if "error" in a
    )
    assert errors == [(0, -32700), (0, -32600), (2, -32600), (3, -32602), (4, -32601), (5, -32602)]
    (result,) = [a["result"] for a in answers if a["id"] == 6]
    assert result["structuredContent"]["volume_level"] == "High"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_garbage(url: str) -> tuple[int, int]:
    """HTTP status and JSON-RPC error code of a POST whose body is not JSON."""
    request = urllib.request.Request(
        url,
        data=b"{not json",
        headers={"content-type": "application/json", "accept": JSON_OR_SSE},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request, timeout=30)
    return failure.value.code, json.loads(failure.value.read())["error"]["code"]


JSON_OR_SSE = "application/json, text/event-stream"


def test_streamable_http_on_loopback(served: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [EROS, "mcp", "--http", "--port", str(port), "--db", str(served)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the HTTP server never listened"
                time.sleep(0.2)

        async def session(client: Client) -> list[str]:
            tools = await client.list_tools()
            assert {t.name: t.input_schema for t in tools.tools} == SCHEMAS
            await check_calls(client, served)
            await check_malformed(client)
            return [t.name for t in tools.tools]

        url = f"http://127.0.0.1:{port}/mcp"
        assert run(Client(url, cache=None, read_timeout_seconds=60), session) == list(SCHEMAS)
        assert post_garbage(url) == (400, -32700)
        assert process.poll() is None
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/mcp" in err


def test_bad_port_is_a_usage_error(served: Path) -> None:
    listening = subprocess.run(
        [EROS, "mcp", "--http", "--port", "0", "--db", str(served)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listening.returncode == 2
    assert "--port must be 1-65535: 0" in listening.stderr


# Concurrent calls while three rebuilds replace the file the server reads. hannah_brooks's scores
# are computed on demand at each build's as_of, so her answers differ from build to build, and a
# profile (several queries) mixing two builds would match none of them.
REBUILD_AS_OF = ["2025-12-12 12:00:00", "2025-12-09 12:00:00", "2025-12-05 12:00:00"]
WATCHED: list[tuple[str, dict[str, Any]]] = [
    ("get_creator_profile", {"creator_id": "hannah_brooks"}),
    ("explain_volume", {"creator_id": "hannah_brooks"}),
    ("get_volume_config", {"creator_id": "hannah_brooks"}),
    ("get_active_creators", {"tier": 1}),
]
WORKERS = 4
MAX_CALLS = 8000  # a bound on the loop (~10 minutes of calls), whatever the builds' pace
PAUSE = 0.25  # between a worker's calls: dbt needs the cores


def snapshot(db: Path) -> list[Any]:
    return [json.loads(json.dumps(wrapper_answer(db, *call), default=str)) for call in WATCHED]


async def call_during_rebuilds(
    client: Client, served: Path, snapshots: list[list[Any]]
) -> tuple[list[tuple[int, Any]], list[str]]:
    answers: list[tuple[int, Any]] = []
    errors: list[str] = []
    done = anyio.Event()

    async def worker(start: int) -> None:
        index = start
        while not done.is_set() and len(answers) + len(errors) < MAX_CALLS:
            key = index % len(WATCHED)
            try:
                result = await client.call_tool(*WATCHED[key])
                if result.is_error:
                    errors.append(f"{WATCHED[key]}: {result.content}")
                answers.append((key, result.structured_content))
            except Exception as exc:  # counted: the test wants none
                errors.append(f"{WATCHED[key]}: {exc!r}")
            index += 1
            await anyio.sleep(PAUSE)

    async def rebuilds() -> None:
        await anyio.sleep(1)
        for as_of in REBUILD_AS_OF:
            command = [EROS, "build", "--db", str(served), "--as-of", as_of, "--quiet"]
            await anyio.run_process(command, check=True)
            snapshots.append(await anyio.to_thread.run_sync(snapshot, served))
            await anyio.sleep(1)
        done.set()

    async with anyio.create_task_group() as group:
        for start in range(WORKERS):
            group.start_soon(worker, start)
        group.start_soon(rebuilds)
    return answers, errors


def test_concurrent_calls_during_three_rebuilds(demo_db: Path, tmp_path: Path) -> None:
    served = tmp_path / "serving" / "eros_volume.duckdb"
    served.parent.mkdir()
    shutil.copyfile(demo_db, served)
    snapshots = [snapshot(served)]

    answers, errors = run(
        stdio(served), lambda client: call_during_rebuilds(client, served, snapshots)
    )

    assert errors == []
    assert len(snapshots) == 4
    for key in range(3):  # the four builds differ in every hannah_brooks answer
        assert len({json.dumps(s[key], sort_keys=True) for s in snapshots}) == 4, WATCHED[key]
    assert len(answers) >= 100
    builds_seen = set()
    for key, answer in answers:
        matches = [i for i, s in enumerate(snapshots) if s[key] == answer]
        assert matches, f"{WATCHED[key]} answered from no single build"
        if key < 3:
            builds_seen.add(matches[0])
    assert builds_seen == {0, 1, 2, 3}, builds_seen
