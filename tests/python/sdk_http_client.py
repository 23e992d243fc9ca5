#!/usr/bin/env python3
"""Drive the rest-mcp binary over Streamable HTTP with the official MCP Python SDK.

    sdk_http_client.py <path to rest-mcp> <path to GitHub's spec, uncompressed>

Starts a tiny recording HTTP server on 127.0.0.1 (the "GitHub API"), starts rest-mcp with
`--transport http` on a free loopback port with one API key (its value passed through the
environment, as `${SDK_KEY}` in the config file), connects the SDK's streamable HTTP client
with `Authorization: Bearer <key>`, lists the tools, calls `repos_get`, and checks what the
upstream received. Then stops rest-mcp with SIGTERM and expects a clean exit. Prints
"N passed, M failed" and exits non-zero on any failure. Every wait is bounded, traffic goes
to 127.0.0.1 only, and the child process is killed if it is still running at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mcp import ClientSession

EXPECTED_TOOLS = 1223
TIMEOUT_SECONDS = 180
START_SECONDS = 90
API_KEY = "sdk-http-key-5e0c41f7a9d2"

# Loopback only: never route the test's requests through a proxy from the environment.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)


class Recorder(BaseHTTPRequestHandler):
    """Records each request (method, raw path, headers) and answers with a small JSON object."""

    seen: list[tuple[str, str, dict[str, str]]] = []
    lock = threading.Lock()

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with Recorder.lock:
            Recorder.seen.append((self.command, self.path, headers))
        body = json.dumps({"id": 1, "full_name": "o/r", "path": self.path}).encode()
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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A GET or (with a body) POST on loopback, without a proxy; returns status, headers, body."""
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def http_post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json", "accept": "application/json, text/event-stream", **headers},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


def wait_healthy(process: subprocess.Popen, base: str) -> dict | None:
    """Polls /healthz until it answers (bounded); None when the process exits or time runs out."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        try:
            status, _, body = http_get(f"{base}/healthz")
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        time.sleep(0.05)
    return None


def connect(url: str):
    """The SDK's streamable HTTP client with the API key (either SDK generation's API)."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    try:
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client
    except ImportError:  # older SDKs: streamablehttp_client(url, headers=...)
        from mcp.client.streamable_http import streamablehttp_client  # type: ignore[attr-defined]

        return streamablehttp_client(url, headers=headers)
    return streamable_http_client(url, http_client=create_mcp_http_client(headers=headers))


async def list_all_tools(session: ClientSession) -> list:
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
    return tools


async def list_with_sdk_defaults(url: str, checks: Checks) -> None:
    """GitHub's tool list is 3.7 MB and the SDK refuses SSE events over 1 MiB by default:
    rest-mcp pages tools/list, so the SDK's defaults work."""
    name = f"tools/list with the SDK's default limits returns {EXPECTED_TOOLS} tools"
    try:
        async with connect(url) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                tools = await list_all_tools(session)
        checks.check(name, len(tools) == EXPECTED_TOOLS, f"got {len(tools)}")
    except Exception as error:  # noqa: BLE001 - the SDK wraps errors in exception groups
        checks.check(name, False, f"{type(error).__name__}: {error!r}")


async def run(url: str, checks: Checks) -> None:
    await list_with_sdk_defaults(url, checks)
    async with connect(url) as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            server_info = attr(init, "server_info", "serverInfo")
            checks.check(
                "initialize over HTTP names the server",
                getattr(server_info, "name", None) == "rest-mcp",
                repr(server_info),
            )
            tools = await list_all_tools(session)
            checks.check(
                f"tools/list over HTTP returns {EXPECTED_TOOLS} tools",
                len(tools) == EXPECTED_TOOLS,
                f"got {len(tools)}",
            )

            with Recorder.lock:
                Recorder.seen.clear()
            result = await session.call_tool("repos_get", {"owner": "o", "repo": "r"})
            text = result_text(result)
            checks.check(
                "repos_get over HTTP is not an error",
                attr(result, "is_error", "isError") is not True,
                text,
            )
            checks.check("the result starts with the HTTP status", text.startswith("HTTP 200"), text)
            with Recorder.lock:
                seen = list(Recorder.seen)
            checks.check(
                "the upstream saw GET /repos/o/r",
                [(m, p) for m, p, _ in seen] == [("GET", "/repos/o/r")],
                repr([(m, p) for m, p, _ in seen]),
            )
            checks.check(
                "the client's API key is not forwarded upstream",
                all(API_KEY not in v for _, _, h in seen for v in h.values()),
                repr([h for _, _, h in seen]),
            )


async def run_dynamic(url: str, checks: Checks) -> None:
    """GitHub in --tools dynamic over HTTP: search -> describe -> call."""
    async with connect(url) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            names = sorted(t.name for t in await list_all_tools(session))
            checks.check(
                "dynamic mode over HTTP lists the three meta-tools",
                names == ["call_tool", "describe_tools", "search_tools"],
                repr(names),
            )
            found = await session.call_tool("search_tools", {"query": "get a repository"})
            entries = (attr(found, "structured_content", "structuredContent") or {}).get("tools", [])
            checks.check(
                "search_tools over HTTP finds repos_get",
                "repos_get" in [e.get("name") for e in entries],
                repr([e.get("name") for e in entries]),
            )
            described = await session.call_tool("describe_tools", {"names": ["repos_get"]})
            tools = (attr(described, "structured_content", "structuredContent") or {}).get("tools", [])
            checks.check(
                "describe_tools over HTTP gives repos_get",
                len(tools) == 1 and tools[0].get("name") == "repos_get",
                json.dumps(tools)[:200],
            )
            with Recorder.lock:
                Recorder.seen.clear()
            called = await session.call_tool(
                "call_tool", {"name": "repos_get", "arguments": {"owner": "o", "repo": "r"}}
            )
            with Recorder.lock:
                seen = [(m, p) for m, p, _ in Recorder.seen]
            checks.check(
                "call_tool over HTTP runs the operation",
                result_text(called).startswith("HTTP 200") and seen == [("GET", "/repos/o/r")],
                f"{result_text(called)[:120]} {seen!r}",
            )


def dynamic_server(binary: str, spec: str, base_url: str, config: str, workdir: str, checks: Checks) -> None:
    """A second server on the same spec in dynamic mode, driven over HTTP, then stopped."""
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "SDK_KEY": API_KEY}
    process = subprocess.Popen(
        [binary, "--config", config, "--spec", spec, "--base-url", base_url,
         "--transport", "http", "--listen", f"127.0.0.1:{port}", "--tools", "dynamic"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=workdir,
    )
    try:
        if wait_healthy(process, f"http://127.0.0.1:{port}") is None:
            checks.check("the dynamic-mode server starts", False, "no /healthz answer")
            return
        try:
            asyncio.run(asyncio.wait_for(run_dynamic(f"http://127.0.0.1:{port}/mcp", checks), TIMEOUT_SECONDS))
        except Exception as error:  # noqa: BLE001 - any crash is a failure, reported
            checks.check("the dynamic session ran to the end", False, f"{type(error).__name__}: {error!r}")
    finally:
        process.kill()
        process.wait(timeout=10)


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, spec = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{upstream.server_address[1]}"
    checks = Checks()
    workdir = tempfile.mkdtemp(prefix="rest-mcp-sdk-http-")
    config = os.path.join(workdir, "team.toml")
    with open(config, "w", encoding="utf-8") as f:
        f.write('[http]\n[[http.keys]]\nname = "sdk"\nkey = "${SDK_KEY}"\nrole = "editor"\n')
    stderr_path = os.path.join(workdir, "stderr.log")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Debug logging: every request, the key check and the upstream call are logged, so
    # "the key is not in the log" below is checked against a log that has something in it.
    env = {"PATH": os.environ.get("PATH", ""), "SDK_KEY": API_KEY, "LOG_LEVEL": "debug"}
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [binary, "--config", config, "--spec", spec, "--base-url", base_url,
             "--transport", "http", "--listen", f"127.0.0.1:{port}", "--tools", "all"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=env, cwd=workdir,
        )
    try:
        health = wait_healthy(process, base)
        checks.check("/healthz answers with the tool count",
                     health == {"status": "ok", "tools": EXPECTED_TOOLS}, repr(health))
        if health is not None:
            status, headers = http_post(f"{base}/mcp", {"jsonrpc": "2.0", "id": 1, "method": "ping"}, {})
            challenge = headers.get("www-authenticate", "")
            checks.check(
                "no key: 401 with the resource metadata pointer",
                status == 401 and challenge.startswith("Bearer resource_metadata="),
                f"{status} {challenge!r}",
            )
            try:
                asyncio.run(asyncio.wait_for(run(f"{base}/mcp", checks), TIMEOUT_SECONDS))
            except Exception as error:  # noqa: BLE001 - any crash is a failure, reported
                checks.check("the session ran to the end", False, f"{type(error).__name__}: {error!r}")
            dynamic_server(binary, spec, base_url, config, workdir, checks)
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=30)
                checks.check("SIGTERM: rest-mcp exits 0", code == 0, f"exit code {code}")
            except subprocess.TimeoutExpired:
                checks.check("SIGTERM: rest-mcp exits 0", False, "still running 30 s after SIGTERM")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            log = f.read()
        checks.check(
            "the log is verbose enough to show a leak (debug lines of the upstream call)",
            "DEBUG" in log and "upstream request" in log and "/repos/o/r" in log,
            log[-2000:],
        )
        checks.check("the API key is not in rest-mcp's log", API_KEY not in log, log[-2000:])
        if checks.failed:
            print("rest-mcp stderr:\n" + log[-4000:])
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
