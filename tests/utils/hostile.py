"""A battery of hostile requests (issue 18): malformed bodies, wrong types, out-of-range numbers and
dates, odd ids and headers, for every kind of route. Each must get a clear 4xx; none a 5xx.

`battery(draft_id, version)` builds the requests against one existing draft; `run()` sends them with
any httpx-like client and returns (name, status) pairs. Used by tests/integration/test_security*.py
and benchmarks/hostile_inputs.py (which prints the table).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Probe:
    name: str
    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    role: str = "agent"


BAD_VERSIONS: tuple[Any, ...] = (0, -1, 2**63, "3", True, 1.5, None, [], {"v": 1})
BAD_DATES = ("0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2026-13-45T00:00:00Z", "yesterday", "1700000000",
             1700000000, "2026-11-27T25:61:00Z", "")
BAD_TEXTS: tuple[Any, ...] = ("", "   ", "a\x00b", 12, None, ["text"], {"t": 1}, "x" * 100_001)
DEEP = b"[" * 50_000 + b"]" * 50_000


def battery(draft_id: str, version: int) -> list[Probe]:
    d = f"/v1/drafts/{draft_id}"
    probes: list[Probe] = []
    add = probes.append
    # Bodies that are not the JSON object the route wants.
    for path in ("/v1/drafts", "/v1/triage", "/v1/check", f"{d}/approve", "/v1/incidents"):
        for label, raw in (("not json", b"{not json"), ("array", b"[1,2]"), ("string", b'"x"'), ("null", b"null"),
                           ("deep nesting", DEEP), ("invalid utf-8", b'{"text": "\xff\xfe"}'),
                           ("NaN", b'{"version": NaN}'), ("huge int", b'{"version": 1' + b"0" * 5000 + b"}")):
            add(Probe(f"{path}: {label}", "POST", path, content=raw, headers={"content-type": "application/json"}))
    # Comment fields.
    for text in BAD_TEXTS:
        add(Probe(f"comment.text={str(text)[:20]!r}", "POST", "/v1/triage", json={"comment": {"text": text}}))
    for followers in (-1, 10**11, 10**4000 - 1, "100", 1.5, True):
        add(Probe(f"followers={str(followers)[:12]}", "POST", "/v1/triage",
                  json={"comment": {"text": "hi", "followers": followers}}))
    for when in BAD_DATES:
        add(Probe(f"created_at={when!r}", "POST", "/v1/drafts", json={"comment": {"text": "hi", "created_at": when}}))
    # Instants with no UTC equivalent: every later comparison or database write would overflow.
    for when in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"):
        add(Probe(f"created_at={when}", "POST", "/v1/drafts", json={"comment": {"text": "hi", "created_at": when}}))
        add(Probe(f"incident started_at={when}", "POST", "/v1/incidents",
                  json={"id": "inc-x", "title": "x", "started_at": when}, role="lead"))
        add(Probe(f"search at={when}", "GET", "/v1/knowledge/search", params={"q": "refund", "at": when}))
        add(Probe(f"document valid_from={when}", "POST", "/v1/knowledge/documents", role="lead",
                  json={"id": "doc-x", "title": "x", "kind": "faq", "text": "x", "valid_from": when}))
    for platform in ("myspace", "", None, 3):
        add(Probe(f"platform={platform!r}", "POST", "/v1/triage",
                  json={"comment": {"text": "hi", "platform": platform}}))
    add(Probe("comment id 201 chars", "POST", "/v1/drafts", json={"comment": {"text": "hi", "id": "x" * 201}}))
    add(Probe("thread_context 21 items", "POST", "/v1/triage", json={"comment": {"text": "hi",
                                                                            "thread_context": ["a"] * 21}}))
    add(Probe("unknown field", "POST", "/v1/drafts", json={"comment": {"text": "hi"}, "admin": True}))
    add(Probe("variants 5", "POST", "/v1/drafts", json={"comment": {"text": "hi"}, "variants": ["a"] * 5}))
    add(Probe("force='yes'", "POST", "/v1/drafts", json={"comment": {"text": "hi"}, "force": "yes"}))
    add(Probe("comment over the limit", "POST", "/v1/drafts", json={"comment": {"text": "a " * 5000}}))
    # Review: versions, texts, reasons, urls, state machine.
    for v in BAD_VERSIONS:
        add(Probe(f"approve version={v!r}", "POST", f"{d}/approve", json={"version": v}))
        add(Probe(f"edit version={v!r}", "PATCH", d, json={"text": "Hi", "version": v}))
    for text in BAD_TEXTS:
        add(Probe(f"edit text={str(text)[:20]!r}", "PATCH", d, json={"text": text, "version": version}))
    for tag in ('"abc"', "W/", '"-1"', '"99999999999"', "*", "x" * 101):
        add(Probe(f"If-Match {tag[:12]}", "PATCH", d, json={"text": "Hi"}, headers={"if-match": tag}))
    add(Probe("override reason 2001 chars", "POST", f"{d}/approve", json={"version": version,
                                                                         "override_reason": "r" * 2001}, role="lead"))
    for url in ("javascript:alert(1)", "ftp://x", "https://x y", "", "https://" + "a" * 2001):
        add(Probe(f"posted url={url[:16]!r}", "POST", f"{d}/posted", json={"version": version, "url": url}))
    add(Probe("reject without reason", "POST", f"{d}/reject", json={"version": version}))
    add(Probe("posted before approval", "POST", f"{d}/posted", json={"version": version, "url": "https://x.com/1"}))
    add(Probe("stale version", "POST", f"{d}/approve", json={"version": version + 5}))
    add(Probe("promote as agent", "POST", f"{d}/promote"))
    # Ids in paths.
    for bad in ("%00", "..%2F..%2Fetc", "x" * 201, "%E2%80%AE", "a%0Ab", "'; DROP TABLE drafts;--"):
        add(Probe(f"draft id {bad[:14]!r}", "GET", f"/v1/drafts/{bad}"))
    add(Probe("incident id 101 chars", "POST", "/v1/incidents/" + "i" * 101 + "/updates", json={"kind": "holding"}))
    add(Probe("update kind", "POST", "/v1/incidents/recall-2026-11/updates", json={"kind": "apology"}))
    add(Probe("update channels 6", "POST", "/v1/incidents/recall-2026-11/updates",
              json={"kind": "holding", "channels": ["x"] * 6}))
    # Queries.
    for params in ({"limit": 0}, {"limit": 10**6}, {"limit": "x"}, {"cursor": "!!"}, {"cursor": "W10"},
                   {"order": "random"}, {"status": "deleted"}):
        add(Probe(f"queue {params}", "GET", "/v1/queue", params=params))
    for params in ({"q": ""}, {"q": "x", "k": 0}, {"q": "x", "k": 10**9}, {"q": "x", "kind": "rumour"},
                   {"q": "x", "at": "year 3000"}, {"q": "x" * 5000}):
        add(Probe(f"search {str(params)[:30]}", "GET", "/v1/knowledge/search", params=params))
    for at in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1700000000", "soon"):
        add(Probe(f"alerts at={at}", "GET", "/v1/alerts", params={"at": at}))
    for params in ({"limit": -1}, {"cursor": "%%%"}):
        add(Probe(f"audit {params}", "GET", "/v1/audit", params=params, role="lead"))
    # Check endpoint.
    add(Probe("check empty", "POST", "/v1/check", json={"text": ""}))
    add(Probe("check 20001 chars", "POST", "/v1/check", json={"text": "a" * 20_001}))
    add(Probe("check bad platform", "POST", "/v1/check", json={"text": "hi", "platform": "fax"}))
    # Auth and methods.
    add(Probe("no key", "GET", "/v1/queue", role=""))
    add(Probe("garbage key", "GET", "/v1/queue", role="", headers={"authorization": "Bearer cd_x_y"}))
    add(Probe("basic auth", "GET", "/v1/queue", role="", headers={"authorization": "Basic YTpi"}))
    add(Probe("DELETE a draft", "DELETE", d))
    add(Probe("PUT the queue", "PUT", "/v1/queue"))
    add(Probe("wrong content type", "POST", "/v1/triage", content=b"text=hi",
              headers={"content-type": "application/x-www-form-urlencoded"}))
    add(Probe("150 headers", "GET", "/v1/me", headers={f"x-h{i}": "1" for i in range(150)}))
    return probes


def run(client: Any, keys: dict[str, Any], probes: Iterable[Probe]) -> list[tuple[str, int]]:
    out = []
    for p in probes:
        headers = (keys[p.role].headers if p.role else {}) | p.headers
        r = client.request(p.method, p.path, json=p.json, content=p.content, params=p.params or None,
                           headers=headers)
        out.append((p.name, r.status_code))
    return out
