#!/usr/bin/env python3
"""Drive one rest-mcp serving three APIs ([[apis]]) with the official MCP Python SDK.

    sdk_many_apis.py <path to rest-mcp> <pet store spec, uncompressed> <team spec>

Starts three recording HTTP servers on 127.0.0.1, one per API (the pet store spec, a TOML
endpoint list and the team spec), each with its own secret, and one config file with three
[[apis]] entries and two API keys (one for every API, one scoped to the pet store). Then,
through the SDK: over stdio, one tool set with every API's prefixed tools; over Streamable
HTTP, each API at /mcp/{name}, all of them at /mcp, and the scoped key refused elsewhere
(403) and shown only its API's tools. Every upstream must see its own secret only. Prints
"N passed, M failed" and exits non-zero on any failure. Every wait is bounded, traffic
goes to 127.0.0.1 only, and the child process is killed if it is still running at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

TIMEOUT_SECONDS = 120
START_SECONDS = 60
SECRETS = {"pets": "pets-secret-71c2e9d0", "status": "status-token-0b5f3a17", "team": "team-secret-c84d2e61"}
KEY_ALL = "sdk-all-apis-key-3a9e0c"
KEY_PETS = "sdk-pets-only-key-8d1b57"

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)


def recorder() -> tuple[ThreadingHTTPServer, list]:
    """An upstream on 127.0.0.1 that records (method, path, headers) and answers JSON."""
    seen: list = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            with lock:
                seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
            body = json.dumps({"path": self.path}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


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


def attr(obj: object, *names: str, default: object = None) -> object:
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"content-type": "application/json", "accept": "application/json, text/event-stream", **(headers or {})},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def config_text(pets_spec: str, team_spec: str, urls: dict[str, str]) -> str:
    return f"""
[[apis]]
name = "pets"
openapi_spec = {json.dumps(pets_spec)}
base_url = {json.dumps(urls["pets"])}
[apis.headers]
X-Pets-Key = "${{PETS_SECRET}}"

[[apis]]
name = "status"
base_url = {json.dumps(urls["status"])}
[apis.auth]
type = "bearer"
token = "${{STATUS_TOKEN}}"
[[apis.endpoints]]
name = "ping"
method = "GET"
path = "/ping"

[[apis]]
name = "team"
openapi_spec = {json.dumps(team_spec)}
base_url = {json.dumps(urls["team"])}
[apis.headers]
X-Team-Key = "${{TEAM_SECRET}}"

[http]
[[http.keys]]
name = "all"
key = "${{KEY_ALL}}"
role = "editor"

[[http.keys]]
name = "pets-only"
key = "${{KEY_PETS}}"
role = "editor"
apis = ["pets"]
"""


def child_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PETS_SECRET": SECRETS["pets"],
        "STATUS_TOKEN": SECRETS["status"],
        "TEAM_SECRET": SECRETS["team"],
        "KEY_ALL": KEY_ALL,
        "KEY_PETS": KEY_PETS,
        "TOOLS": "all",
    }


async def tool_names(session: ClientSession) -> list[str]:
    names: list[str] = []
    cursor = None
    for _ in range(50):
        if cursor is None:
            page = await session.list_tools()
        else:
            from mcp.types import PaginatedRequestParams  # type: ignore[attr-defined]

            page = await session.list_tools(params=PaginatedRequestParams(cursor=cursor))
        names.extend(t.name for t in page.tools)
        cursor = attr(page, "next_cursor", "nextCursor")
        if not cursor:
            break
    return sorted(names)


def is_error(result: object) -> bool:
    return attr(result, "is_error", "isError") is True


async def run_stdio(binary: str, config: str, checks: Checks) -> None:
    params = StdioServerParameters(command=binary, args=["--config", config], env=child_env())
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            names = await tool_names(session)
            checks.check(
                "stdio: one tool set with every API's prefixed tools",
                {"pets_get_pet_by_id", "status_ping", "team_list_items"} <= set(names)
                and all(n.split("_", 1)[0] in SECRETS for n in names),
                repr(names),
            )
            result = await session.call_tool("status_ping", {})
            checks.check("stdio: status_ping succeeds", not is_error(result), repr(result))


def connect(url: str, key: str):
    headers = {"Authorization": f"Bearer {key}"}
    try:
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client
    except ImportError:
        from mcp.client.streamable_http import streamablehttp_client  # type: ignore[attr-defined]

        return streamablehttp_client(url, headers=headers)
    return streamable_http_client(url, http_client=create_mcp_http_client(headers=headers))


async def http_session(url: str, key: str, work) -> object:
    async with connect(url, key) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            return await work(session)


async def run_http(base: str, checks: Checks) -> None:
    for api, expected in [("pets", "pets_get_pet_by_id"), ("status", "status_ping"), ("team", "team_list_items")]:
        names = await http_session(f"{base}/mcp/{api}", KEY_ALL, tool_names)
        checks.check(
            f"HTTP /mcp/{api}: only {api}'s tools",
            expected in names and all(n.startswith(f"{api}_") for n in names),
            repr(names),
        )
    names = await http_session(f"{base}/mcp", KEY_ALL, tool_names)
    checks.check(
        "HTTP /mcp: every API's tools",
        {"pets_get_pet_by_id", "status_ping", "team_list_items"} <= set(names),
        repr(names),
    )

    async def call_team(session: ClientSession) -> object:
        return await session.call_tool("team_list_items", {})

    result = await http_session(f"{base}/mcp/team", KEY_ALL, call_team)
    checks.check("HTTP /mcp/team: team_list_items succeeds", not is_error(result), repr(result))

    names = await http_session(f"{base}/mcp", KEY_PETS, tool_names)
    checks.check(
        "HTTP /mcp with the pets-only key: only pets' tools",
        bool(names) and all(n.startswith("pets_") for n in names),
        repr(names),
    )

    async def call_pet(session: ClientSession) -> object:
        return await session.call_tool("pets_get_pet_by_id", {"petId": 7})

    result = await http_session(f"{base}/mcp", KEY_PETS, call_pet)
    checks.check("HTTP /mcp with the pets-only key: pets_get_pet_by_id succeeds", not is_error(result), repr(result))
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "sdk-many", "version": "1"}}}
    status, body = http("POST", f"{base}/mcp/status", init, {"Authorization": f"Bearer {KEY_PETS}"})
    checks.check("HTTP /mcp/status with the pets-only key: 403", status == 403, f"{status} {body[:200]!r}")


def wait_healthy(process: subprocess.Popen, base: str) -> dict | None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        try:
            status, body = http("GET", f"{base}/healthz")
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        time.sleep(0.05)
    return None


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, pets_spec, team_spec = (os.path.abspath(a) for a in sys.argv[1:4])
    upstreams = {api: recorder() for api in SECRETS}
    urls = {api: f"http://127.0.0.1:{server.server_address[1]}" for api, (server, _) in upstreams.items()}
    workdir = tempfile.mkdtemp(prefix="rest-mcp-sdk-many-")
    config = os.path.join(workdir, "company.toml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(config_text(pets_spec, team_spec, urls))
    checks = Checks()
    try:
        asyncio.run(asyncio.wait_for(run_stdio(binary, config, checks), TIMEOUT_SECONDS))
    except Exception as error:  # noqa: BLE001 - any crash is a failure, reported
        checks.check("the stdio session ran to the end", False, f"{type(error).__name__}: {error!r}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stderr_path = os.path.join(workdir, "stderr.log")
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [binary, "--config", config, "--transport", "http", "--listen", f"127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=child_env(), cwd=workdir,
        )
    try:
        health = wait_healthy(process, base)
        checks.check(
            "/healthz reports every API ok",
            health is not None and health.get("status") == "ok"
            and all(health["apis"][api]["status"] == "ok" for api in SECRETS),
            repr(health),
        )
        if health is not None:
            try:
                asyncio.run(asyncio.wait_for(run_http(base, checks), TIMEOUT_SECONDS))
            except Exception as error:  # noqa: BLE001
                checks.check("the HTTP sessions ran to the end", False, f"{type(error).__name__}: {error!r}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for server, _ in upstreams.values():
            server.shutdown()
            server.server_close()
    for api, (_, seen) in upstreams.items():
        others = [s for other, s in SECRETS.items() if other != api]
        text = repr(seen)
        checks.check(
            f"the {api} upstream was called, and never saw another API's secret or a client key",
            bool(seen) and not any(s in text for s in others + [KEY_ALL, KEY_PETS]),
            text[:400],
        )
    if checks.failed:
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            print("rest-mcp stderr:\n" + f.read()[-4000:])
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
