#!/usr/bin/env python3
"""Write the starting corpus of every fuzz target into fuzz/corpus/<target>/seed-*.

Specs come from the repository's fixtures (the small ones: big specs make each run slow
and add little a mutation of a small spec does not reach), tool arguments and upstream
answers are typical of what models and APIs send, and stdio sessions are real MCP
exchanges. Run it from anywhere; it only adds or replaces seed-* files.
"""
import gzip
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
MAX_SPEC = 64 * 1024


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{name}").write_bytes(data)


def spec_files():
    for path in sorted((ROOT / "tests" / "fixtures").iterdir()):
        if path.name.endswith(".gz"):
            data = gzip.decompress(path.read_bytes())
        elif path.suffix in (".yaml", ".json"):
            data = path.read_bytes()
        else:
            continue
        yield path.name.removesuffix(".gz"), data
    for folder in (ROOT / "rest-mcp" / "tests" / "specs", ROOT / "examples" / "petstore"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".yaml", ".yml", ".json"):
                yield path.name, path.read_bytes()


TOML_LISTS = {
    "readme": b'''[[endpoints]]
name = "get_user"
method = "GET"
path = "/users/{id}"
description = "Get a user by ID"
  [endpoints.path_params]
  id = { type = "string", description = "User ID" }
  [endpoints.query]
  fields = { type = "array", items = { type = "string" } }

[[endpoints]]
name = "create_user"
method = "POST"
path = "/users"
body_type = "json"
  [endpoints.body]
  name = { type = "string", required = true }
  role = { type = "string", enum = ["admin", "member"], default = "member" }
''',
    "every-table": b'''title = "Everything"
[[endpoints]]
method = "PUT"
path = "/a/{b}/c/{d}"
tags = ["x"]
read_only = false
destructive = true
auth = false
response_path = "$.data"
body_type = "multipart"
  [endpoints.path_params]
  b = "integer"
  [endpoints.headers]
  X-Trace = { type = "string" }
  [endpoints.cookies]
  sid = "string"
  [endpoints.body]
  file = { type = "string", format = "binary" }
  note = { type = "string" }
''',
}

ARGUMENTS = {
    "getFile": {"dir": "docs", "name": "a b.txt", "tags": ["x", "y"], "ids": [1, 2],
                "words": ["a", "b"], "levels": ["1", "2"], "filter": {"status": "open"},
                "q": "x&y=z", "page": 2, "cursor": "abc", "X-Request-Id": "r-1",
                "X-Ids": [1, 2], "session": "s1", "prefs": ["dark", "compact"]},
    "getStyles": {"label": ["a", "b"], "matrix": ["c"], "exploded": ["d", "e"],
                  "object": {"k": "v"}},
    "createItem": {"name": "widget", "count": 3, "tags": ["a"], "meta": {"k": [1, {"n": None}]}},
    "replaceItems": {"body": [{"a": 1}, {"b": [2, 3]}]},
    "submitForm": {"amount": 2000, "currency": "usd", "metadata": {"order": "6735"},
                   "items": [{"price": "p_1", "quantity": 2}]},
    "uploadFiles": {"title": "report", "attributes": {"a": 1},
                    "file": {"content": "aGVsbG8=", "filename": "a.txt", "content_type": "text/plain"},
                    "extra": [{"content": "data:text/plain;base64,aGk"}, {"content": "-_-_"}]},
    "putBlob": {"id": 7, "body": "AAECAwQ="},
    "postNote": {"body": "hello\nworld"},
}
ORDER = list(ARGUMENTS)  # the harness spec's operation order
BODY_ORDER = ["createItem", "replaceItems", "submitForm", "uploadFiles", "putBlob", "postNote"]

BODIES = {
    "object": (0, 0, b'{"id": 1, "name": "Rex", "tags": ["a", "b"], "owner": {"login": "x"}}'),
    "list": (0, 1, json.dumps({"items": [{"id": i, "price": i * 7, "name": "n" * i} for i in range(30)],
                               "next_cursor": "c2"}).encode()),
    "stripe": (0, 1, b'{"object": "list", "has_more": true, "data": [{"id": "ch_1"}, {"id": "ch_2"}]}'),
    "array": (0, 0, json.dumps([{"id": i, "a b": "x" * 40} for i in range(20)]).encode()),
    "problem": (14, 3, b'{"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No pet 7"}'),
    "text": (0, 5, b"plain text \xc3\xa9\xe2\x82\xac line\nline 2"),
    "html-error": (17, 6, b"<html><body>oops</body></html>"),
    "png": (0, 9, bytes.fromhex("89504e470d0a1a0a0000000d49484452")),
    "redirect": (6, 13, b""),
    "big-number": (0, 0, b'{"n": 123456789012345678901234567890.5e-3, "s": "\\u00e9\\ud83d\\ude00"}'),
}


def rpc(id_, method, params=None):
    message = {"jsonrpc": "2.0", "method": method}
    if id_ is not None:
        message["id"] = id_
    if params is not None:
        message["params"] = params
    return json.dumps(message).encode() + b"\n"


INITIALIZE = rpc(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                   "clientInfo": {"name": "fuzz", "version": "1"}})
INITIALIZED = rpc(None, "notifications/initialized")

SESSIONS = {
    "list": [INITIALIZE, INITIALIZED, rpc(1, "tools/list"), rpc(2, "ping")],
    "call": [INITIALIZE, INITIALIZED,
             rpc(1, "tools/call", {"name": "getFile", "arguments": ARGUMENTS["getFile"]}),
             rpc(2, "tools/call", {"name": "getFile", "arguments": {"dir": 1}}),
             rpc(3, "tools/call", {"name": "nope", "arguments": {}})],
    "dynamic": [INITIALIZE, INITIALIZED,
                rpc(1, "tools/call", {"name": "search_tools", "arguments": {"query": "upload a file"}}),
                rpc(2, "tools/call", {"name": "describe_tools", "arguments": {"names": ["uploadFiles"]}}),
                rpc(3, "tools/call", {"name": "call_tool",
                                      "arguments": {"name": "postNote", "arguments": {"body": "x"}}})],
    "garbage": [INITIALIZE, INITIALIZED, b"{not json\n", rpc(1, "no/such/method"),
                b'{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": 5}\n',
                rpc(3, "resources/list"), rpc(None, "notifications/cancelled", {"requestId": 1})],
    "no-initialize": [rpc(1, "tools/list")],
}


def main():
    for name, data in spec_files():
        if len(data) <= MAX_SPEC:
            write("spec_loader", name, b"\x00" + data)
    for name, data in TOML_LISTS.items():
        write("spec_loader", f"{name}.toml", b"\x01" + data)

    for index, name in enumerate(ORDER):
        payload = json.dumps(ARGUMENTS[name]).encode()
        write("request_building", f"{name}-omit", bytes([index, 0]) + payload)
        write("request_building", f"{name}-defaults", bytes([index, 1]) + payload)
        write("request_building", f"{name}-raw", bytes([index, 0]) + b"..\xff/x?y#z\xff%2e\r\nHost: e")
    for index, name in enumerate(BODY_ORDER):
        mode = 4 * index + 1
        write("body_encoders", name, bytes([mode]) + json.dumps(ARGUMENTS[name]).encode())
    write("body_encoders", "base64", b"\x00" + bytes(range(256)))

    for name, (status, content_type, body) in BODIES.items():
        for flags, limit in ((0, 8), (1, 2), (2 | 16, 4), (4 | 8, 6)):
            select = 2 if flags & 4 else 9  # "$.items[*].id", or none
            header = bytes([status, content_type, flags, limit, select, 9, 0])
            write("response_shaping", f"{name}-{flags}-{limit}", header + body)

    for name, lines in SESSIONS.items():
        for mode in range(3):
            write("stdio_session", f"{name}-{mode}", bytes([mode]) + b"".join(lines))


if __name__ == "__main__":
    main()
