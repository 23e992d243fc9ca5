#!/usr/bin/env python3
"""A cookie-session login driven through rest-mcp by the official MCP Python SDK.

    sdk_session_client.py <path to rest-mcp> <path to session_api.yaml>

Starts a small upstream with real logic on 127.0.0.1 (an ephemeral port): a magic-link
login whose verify step sets a random HttpOnly session cookie, `GET /me` that answers
only a valid session (else 401 problem+json), logout that expires the cookie and ends
the session server side, a union-typed (`oneOf`) resource, and a list paged with a
GitHub-style `Link: <...?page=2&per_page=2>; rel="next"` header. The spec declares an
apiKey-in-cookie scheme, so rest-mcp keeps a cookie jar without being asked.

rest-mcp runs over stdio under the SDK's stdio_client. The script walks: /me before
login (401) -> request link -> verify -> /me (200, the cookie sent) -> the union
resource (structuredContent holds the data; the SDK itself validates it against the
outputSchema) -> page 1 -> the hinted next-page call (page 2) -> logout -> /me (401, no
cookie sent). Prints "N passed, M failed" and exits non-zero on any failure. Every wait
is bounded and all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

TIMEOUT_SECONDS = 120
EMAIL = "ada@example.test"
REPOS = [{"id": i, "name": f"repo-{i}"} for i in range(1, 5)]
PETS = {1: {"kind": "cat", "lives": 9}, 2: {"kind": "dog", "good": True}}

# Loopback only: never route anything through a proxy from the environment.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)


class State:
    """The upstream's memory: issued tokens, live sessions and every request seen."""

    lock = threading.Lock()
    tokens: dict[str, str] = {}  # magic-link token -> email (single use)
    sessions: dict[str, str] = {}  # session id -> email
    issued_sessions: list[str] = []
    seen: list[tuple[str, str, str | None]] = []  # (method, path with query, Cookie header)
    base_url = ""


def session_of(cookie_header: str | None) -> str | None:
    """The `session` cookie's value in a Cookie header."""
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "session" and value:
            return value
    return None


class Upstream(BaseHTTPRequestHandler):
    def _send(self, status: int, body: object = None, headers: dict[str, str] | None = None,
              media: str = "application/json") -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("content-type", media)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _problem(self, status: int, title: str, detail: str) -> None:
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        self._send(status, body, media="application/problem+json")

    def _json_body(self) -> dict:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            value = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def _signed_in(self) -> str | None:
        sid = session_of(self.headers.get("cookie"))
        with State.lock:
            return State.sessions.get(sid) if sid else None

    def _record(self) -> None:
        with State.lock:
            State.seen.append((self.command, self.path, self.headers.get("cookie")))

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self._record()
        path = urlsplit(self.path).path
        body = self._json_body()
        if path == "/auth/magic-link":
            email = body.get("email")
            if not isinstance(email, str) or "@" not in email:
                return self._problem(400, "Bad Request", "email is required")
            token = secrets.token_urlsafe(12)
            with State.lock:
                State.tokens[token] = email
            return self._send(200, {"token": token})
        if path == "/auth/verify":
            with State.lock:
                email = State.tokens.pop(str(body.get("token")), None)
                if email is None:
                    return self._problem(400, "Bad Request", "unknown or used token")
                sid = secrets.token_hex(16)
                State.sessions[sid] = email
                State.issued_sessions.append(sid)
            cookie = f"session={sid}; HttpOnly; Path=/"
            return self._send(200, {"ok": True}, {"set-cookie": cookie})
        if path == "/auth/logout":
            sid = session_of(self.headers.get("cookie"))
            with State.lock:
                known = State.sessions.pop(sid, None) if sid else None
            if known is None:
                return self._problem(401, "Unauthorized", "not signed in")
            return self._send(204, headers={"set-cookie": "session=; Max-Age=0; Path=/"})
        return self._problem(404, "Not Found", path)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._record()
        url = urlsplit(self.path)
        email = self._signed_in()
        if email is None:
            return self._problem(401, "Unauthorized", "sign in first")
        if url.path == "/me":
            return self._send(200, {"id": 7, "email": email})
        if url.path.startswith("/pets/"):
            pet = PETS.get(int(url.path.rsplit("/", 1)[1] or 0))
            if pet is None:
                return self._problem(404, "Not Found", "no such pet")
            return self._send(200, pet)
        if url.path == "/repos":
            query = parse_qs(url.query)
            page = int(query.get("page", ["1"])[0])
            per_page = int(query.get("per_page", ["30"])[0])
            items = REPOS[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(REPOS):
                next_url = f"{State.base_url}/repos?page={page + 1}&per_page={per_page}"
                headers["link"] = f'<{next_url}>; rel="next"'
            return self._send(200, items, headers)
        return self._problem(404, "Not Found", url.path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def result_text(result: object) -> str:
    blocks = getattr(result, "content", None) or []
    return "\n".join(getattr(b, "text", "") for b in blocks)


def is_error(result: object) -> bool:
    return getattr(result, "is_error", None) is True


def meta(result: object) -> dict:
    return getattr(result, "meta", None) or {}


def structured(result: object) -> object:
    return getattr(result, "structured_content", None)


def seen_since(mark: int) -> list[tuple[str, str, str | None]]:
    with State.lock:
        return list(State.seen[mark:])


def mark() -> int:
    with State.lock:
        return len(State.seen)


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, condition: bool, detail: object = "") -> None:
        if condition:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}")


async def run(binary: str, spec: str, checks: Checks) -> None:
    params = StdioServerParameters(
        command=binary,
        args=["--spec", spec, "--base-url", State.base_url],
        env={"LOG_LEVEL": "warn"},
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = {t.name: t for t in (await session.list_tools()).tools}
            wanted = {"request_magic_link", "verify_magic_link", "get_me", "get_pet", "list_repos", "logout"}
            checks.check("every operation is a tool", wanted <= tools.keys(), sorted(tools))
            pet_schema = getattr(tools.get("get_pet"), "output_schema", None)
            checks.check("get_pet declares an output schema", isinstance(pet_schema, dict), pet_schema)

            # Not signed in yet: the upstream refuses, and no cookie was sent.
            at = mark()
            result = await session.call_tool("get_me", {})
            text = result_text(result)
            checks.check("/me before login is an error result", is_error(result), text)
            checks.check("/me before login reports the 401", "401" in text, text)
            sent = seen_since(at)
            checks.check("/me before login sent no cookie", [c for _, _, c in sent] == [None], sent)

            result = await session.call_tool("request_magic_link", {"email": EMAIL})
            link = structured(result)
            with State.lock:
                issued = dict(State.tokens)
            token = link.get("token") if isinstance(link, dict) else None
            checks.check("requesting a link succeeds", not is_error(result), result_text(result))
            checks.check(
                "the link's token arrives as structured content",
                token is not None and issued.get(token) == EMAIL,
                f"{link!r} vs issued {issued!r}",
            )

            result = await session.call_tool("verify_magic_link", {"token": token})
            text = result_text(result)
            with State.lock:
                sid = State.issued_sessions[-1] if State.issued_sessions else None
            checks.check("verify succeeds", not is_error(result) and sid is not None, text)
            checks.check(
                "the result names the session cookie, values hidden",
                "set-cookie: session (values hidden)" in text,
                text,
            )
            checks.check(
                "the cookie value reaches neither text nor _meta",
                sid is not None and sid not in text and sid not in json.dumps(meta(result)),
                text,
            )

            at = mark()
            result = await session.call_tool("get_me", {})
            text = result_text(result)
            checks.check("/me after login succeeds", not is_error(result) and text.startswith("HTTP 200"), text)
            checks.check(
                "/me's structured content is the user",
                structured(result) == {"id": 7, "email": EMAIL},
                structured(result),
            )
            sent = seen_since(at)
            checks.check(
                "/me after login sent exactly the session cookie",
                [c for _, _, c in sent] == [f"session={sid}"],
                sent,
            )

            # A oneOf of two object shapes: the SDK validates structuredContent against the
            # outputSchema in call_tool (a mismatch raises), and it must be the data itself.
            for pet_id, body in PETS.items():
                result = await session.call_tool("get_pet", {"id": pet_id})
                content = structured(result)
                checks.check(f"get_pet {pet_id} succeeds", not is_error(result), result_text(result))
                checks.check(
                    f"get_pet {pet_id}'s structured content holds the {body['kind']}, not a notice",
                    content == {"result": body},
                    content,
                )

            # Paging: the Link header's next page becomes the next call's arguments.
            at = mark()
            result = await session.call_tool("list_repos", {"per_page": 2})
            text = result_text(result)
            hint = meta(result).get("nextPage") or {}
            checks.check("page 1 holds the first two repos", structured(result) == {"result": REPOS[:2]},
                         structured(result))
            checks.check(
                "page 1 carries the Link header",
                'link: <' in text and 'page=2&per_page=2>; rel="next"' in text,
                text,
            )
            checks.check(
                "_meta.nextPage names the tool and page 2's arguments",
                hint.get("tool") == "list_repos" and hint.get("arguments") == {"per_page": 2, "page": 2},
                meta(result),
            )
            checks.check(
                "the text says how to get the next page",
                "Next page: call `list_repos` with" in text and '"page":2' in text,
                text,
            )
            result = await session.call_tool("list_repos", hint.get("arguments") or {})
            checks.check("the hinted call returns page 2", structured(result) == {"result": REPOS[2:4]},
                         structured(result))
            checks.check("page 2 is the last (no next-page hint)", "nextPage" not in meta(result), meta(result))
            sent = [path for _, path, _ in seen_since(at)]
            checks.check(
                "the upstream saw page 1 then page 2",
                len(sent) == 2 and urlsplit(sent[1]).path == "/repos"
                and parse_qs(urlsplit(sent[1]).query) == {"page": ["2"], "per_page": ["2"]},
                sent,
            )

            at = mark()
            result = await session.call_tool("logout", {})
            checks.check("logout succeeds", not is_error(result), result_text(result))
            sent = seen_since(at)
            checks.check("logout was signed in", [c for _, _, c in sent] == [f"session={sid}"], sent)
            with State.lock:
                live = dict(State.sessions)
            checks.check("the session ended server side", sid not in live, live)

            at = mark()
            result = await session.call_tool("get_me", {})
            text = result_text(result)
            checks.check("/me after logout is an error result", is_error(result), text)
            checks.check("/me after logout reports the 401", "401" in text and "HTTP 401" in text, text)
            sent = seen_since(at)
            checks.check("Max-Age=0 emptied the jar: no cookie sent", [c for _, _, c in sent] == [None], sent)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, spec = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    State.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    checks = Checks()
    try:
        asyncio.run(asyncio.wait_for(run(binary, spec, checks), TIMEOUT_SECONDS))
    except Exception as error:  # noqa: BLE001 - any crash is a failure, reported
        checks.check("the session ran to the end", False, f"{type(error).__name__}: {error}")
    finally:
        server.shutdown()
        server.server_close()
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
