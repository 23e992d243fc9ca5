#!/usr/bin/env python3
"""A short MCP session over stdio with an installed rest-mcp binary, standard library only.

    stdio_smoke.py <path to rest-mcp> <path to the pet store spec>

Starts a recording HTTP server on 127.0.0.1 standing in for the pet store API, launches
rest-mcp on the spec with --base-url pointing at it, then speaks JSON-RPC over the
child's stdin/stdout: initialize, notifications/initialized, tools/list, and a
tools/call of list_pets, whose request must reach the server. Prints "N passed, M
failed" and exits non-zero on any failure. Every wait is bounded.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WAIT_SECONDS = 60
seen: list[str] = []


class PetStore(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        seen.append(self.path)
        body = json.dumps([{"id": 1, "name": "Rex", "status": "available"}]).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def main() -> int:
    binary, spec = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), PetStore)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/api"
    child = subprocess.Popen(
        [binary, "--spec", spec, "--base-url", base_url, "--header", "X-Api-Key: smoke"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in child.stdout], daemon=True
    ).start()

    def send(message: dict) -> None:
        child.stdin.write(json.dumps(message) + "\n")
        child.stdin.flush()

    def answer(request_id: int) -> dict:
        while True:
            message = json.loads(lines.get(timeout=WAIT_SECONDS))
            if message.get("id") == request_id:
                return message

    checks: list[tuple[str, bool]] = []
    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "stdio-smoke", "version": "1"}}})
        init = answer(1)
        checks.append(("initialize names the server",
                       init.get("result", {}).get("serverInfo", {}).get("name") == "rest-mcp"))
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        names = [t["name"] for t in answer(2).get("result", {}).get("tools", [])]
        checks.append(("tools/list has the pet store's tools",
                       {"list_pets", "get_pet", "place_order"} <= set(names)))
        send({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
              "params": {"name": "list_pets", "arguments": {"limit": 1}}})
        result = answer(3).get("result", {})
        text = " ".join(c.get("text", "") for c in result.get("content", []))
        checks.append(("list_pets answers with the API's body",
                       not result.get("isError") and "Rex" in text))
        checks.append(("the call reached the API", seen == ["/api/pets?limit=1"]))
    except (queue.Empty, json.JSONDecodeError, BrokenPipeError) as error:
        checks.append((f"the session completed ({type(error).__name__})", False))
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
        server.shutdown()
    for name, ok in checks:
        print(f"{'ok' if ok else 'FAILED'}: {name}")
    failed = sum(1 for _, ok in checks if not ok)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
