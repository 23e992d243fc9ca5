#!/usr/bin/env python3
"""Drive the rest-mcp binary with the official MCP Python SDK (a client nobody on the
team wrote).

    sdk_client.py <path to rest-mcp> <path to GitHub's spec, uncompressed>

Starts a tiny recording HTTP server on 127.0.0.1 (the "GitHub API"), launches rest-mcp
over stdio with --base-url pointing at it, lists the tools, calls some, and checks what
the server received. Prints "N passed, M failed" and exits non-zero on any failure.
Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

EXPECTED_TOOLS = 1223
TIMEOUT_SECONDS = 120


class Recorder(BaseHTTPRequestHandler):
    """Records each request (method, raw path) and answers with a small JSON object."""

    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        with Recorder.lock:
            Recorder.seen.append((self.command, self.path))
        body = json.dumps({"id": 1, "full_name": "recorded", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def attr(obj: object, *names: str, default: object = None) -> object:
    """The first attribute present (the SDK renamed camelCase fields to snake_case)."""
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def result_text(result: object) -> str:
    blocks = attr(result, "content", default=[]) or []
    return "\n".join(getattr(b, "text", "") for b in blocks)


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, condition: bool, detail: str = "") -> None:
        if condition:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}")


async def run(binary: str, spec: str, base_url: str, checks: Checks) -> None:
    params = StdioServerParameters(
        command=binary,
        args=["--spec", spec, "--base-url", base_url, "--tools", "all"],
        env={"LOG_LEVEL": "warn"},
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            server_info = attr(init, "server_info", "serverInfo")
            checks.check(
                "initialize names the server",
                getattr(server_info, "name", None) == "rest-mcp",
                repr(server_info),
            )

            tools = []
            cursor = None
            for _ in range(100):  # bounded pagination
                if cursor is None:
                    page = await session.list_tools()
                else:
                    from mcp.types import PaginatedRequestParams  # type: ignore[attr-defined]

                    page = await session.list_tools(params=PaginatedRequestParams(cursor=cursor))
                tools.extend(page.tools)
                cursor = attr(page, "next_cursor", "nextCursor")
                if not cursor:
                    break
            names = {t.name for t in tools}
            checks.check(
                f"tools/list returns {EXPECTED_TOOLS} tools",
                len(tools) == EXPECTED_TOOLS,
                f"got {len(tools)}",
            )
            checks.check("repos_get is listed", "repos_get" in names)

            Recorder.seen.clear()
            result = await session.call_tool(
                "repos_get", {"owner": "octo-org", "repo": "hello-world"}
            )
            text = result_text(result)
            checks.check(
                "repos_get is not an error",
                attr(result, "is_error", "isError") is not True,
                text,
            )
            checks.check("the result starts with the HTTP status", text.startswith("HTTP 200"), text)
            checks.check(
                "the upstream saw GET /repos/octo-org/hello-world",
                Recorder.seen == [("GET", "/repos/octo-org/hello-world")],
                repr(Recorder.seen),
            )

            Recorder.seen.clear()
            result = await session.call_tool("repos_get", {"owner": "octo-org"})
            message = result_text(result)
            # `repo` as a word of its own: the tool's name (repos_get) must not count.
            names_repo = re.search(r"(?<![A-Za-z0-9_])repo(?![A-Za-z0-9_])", message) is not None
            checks.check(
                "a missing argument is an error result naming it",
                attr(result, "is_error", "isError") is True
                and names_repo
                and "required" in message
                and "owner" not in message,
                message,
            )
            checks.check("nothing was sent for invalid arguments", Recorder.seen == [], repr(Recorder.seen))

            try:
                await session.call_tool("repos_gett", {})
                checks.check("an unknown tool is a JSON-RPC error", False, "no error raised")
            except Exception as error:  # noqa: BLE001 - the SDK's McpError type moved between releases
                checks.check(
                    "an unknown tool is a JSON-RPC error with a suggestion",
                    "repos_get" in str(error),
                    str(error),
                )


async def run_dynamic(binary: str, spec: str, base_url: str, checks: Checks) -> None:
    """GitHub in dynamic mode: three tools, then search -> describe -> call."""
    params = StdioServerParameters(
        command=binary,
        args=["--spec", spec, "--base-url", base_url, "--tools", "dynamic"],
        env={"LOG_LEVEL": "warn"},
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.list_tools()
            names = sorted(t.name for t in listed.tools)
            checks.check(
                "dynamic mode lists exactly the three meta-tools",
                names == ["call_tool", "describe_tools", "search_tools"],
                repr(names),
            )
            found = await session.call_tool(
                "search_tools", {"query": "what pull requests are open in a repository"}
            )
            entries = (attr(found, "structured_content", "structuredContent") or {}).get("tools", [])
            found_names = [e.get("name") for e in entries]
            checks.check(
                "search_tools finds pulls_list in its top 5",
                "pulls_list" in found_names and len(found_names) <= 5,
                repr(found_names),
            )
            described = await session.call_tool("describe_tools", {"names": ["pulls_list"]})
            tools = (attr(described, "structured_content", "structuredContent") or {}).get("tools", [])
            schema = tools[0].get("inputSchema", {}) if tools else {}
            checks.check(
                "describe_tools gives pulls_list's input schema",
                "owner" in schema.get("required", []) and "repo" in schema.get("required", []),
                json.dumps(tools)[:300],
            )
            Recorder.seen.clear()
            called = await session.call_tool(
                "call_tool",
                {"name": "pulls_list", "arguments": {"owner": "octo-org", "repo": "hello-world", "state": "open"}},
            )
            text = result_text(called)
            checks.check(
                "call_tool runs the operation",
                text.startswith("HTTP 200")
                and Recorder.seen == [("GET", "/repos/octo-org/hello-world/pulls?state=open")],
                f"{text[:200]} {Recorder.seen!r}",
            )


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, spec = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    checks = Checks()
    try:
        asyncio.run(asyncio.wait_for(run(binary, spec, base_url, checks), TIMEOUT_SECONDS))
        asyncio.run(asyncio.wait_for(run_dynamic(binary, spec, base_url, checks), TIMEOUT_SECONDS))
    except Exception as error:  # noqa: BLE001 - any crash is a failure, reported
        checks.check("the session ran to the end", False, f"{type(error).__name__}: {error}")
    finally:
        server.shutdown()
        server.server_close()
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
