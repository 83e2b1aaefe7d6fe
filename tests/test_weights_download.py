"""The downloader for real, against an HTTP server on 127.0.0.1 started here."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from generator.weights import (
    DownloadFailed,
    FetchSettings,
    HashMismatch,
    LockFile,
    Refused,
    Resolver,
    Unreachable,
)

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, str | None]]] = []
    seen: ClassVar[dict[str, int]] = {}

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        path = self.path
        self.requests.append((path, self.headers.get("Range")))
        count = self.seen[path] = self.seen.get(path, 0) + 1
        if path.startswith("/missing"):
            self.send_error(404, "Not Found")
        elif path.startswith("/ok"):
            self._send(PAYLOAD, honour_range=True)
        elif path.startswith("/corrupt"):
            self._send(PAYLOAD[:-1] + b"\x00")
        elif path.startswith("/cut-once-resumable"):
            self._send(PAYLOAD, honour_range=True, cut=count == 1)
        elif path.startswith("/cut-once-norange"):
            self._send(PAYLOAD, honour_range=False, cut=count == 1)
        elif path.startswith("/cut-always"):
            self._send(PAYLOAD, cut=True)
        elif path.startswith("/slow"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            time.sleep(1.5)  # longer than the test's read timeout
            try:
                self.wfile.write(PAYLOAD)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
                pass

    def _send(self, body: bytes, honour_range: bool = False, cut: bool = False) -> None:
        start = 0
        range_header = self.headers.get("Range")
        if honour_range and range_header and range_header.startswith("bytes="):
            start = int(range_header[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        part = body[start:]
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        self.wfile.write(part[: len(part) // 2] if cut else part)  # cut: the connection closes early


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def resolver(tmp_path: Path) -> Resolver:
    Handler.requests.clear()
    Handler.seen.clear()
    settings = FetchSettings(connect_timeout=2, read_timeout=0.5, attempts=3, progress=False)
    return Resolver(
        LockFile(tmp_path / "weights.lock.json"),
        cache=tmp_path / "cache",
        mirror=None,
        fetch=settings,
        log=lambda message: None,
    )


def cache_files(resolver: Resolver) -> list[Path]:
    return [p for p in resolver.cache.glob("*") if p.is_file()] if resolver.cache.exists() else []


def partial_files(resolver: Resolver) -> list[Path]:
    folder = resolver.cache / ".partial"
    return list(folder.glob("*")) if folder.exists() else []


def test_download_lands_in_cache_named_by_hash(server, resolver):
    got = resolver.resolve(f"{server}/ok/model.bin", PAYLOAD_SHA, len(PAYLOAD))
    assert got.origin == "network"
    assert got.path == resolver.cache / PAYLOAD_SHA
    assert got.path.read_bytes() == PAYLOAD
    assert partial_files(resolver) == []
    again = resolver.resolve(f"{server}/ok/model.bin", PAYLOAD_SHA)
    assert again.origin == "cache"
    assert len(Handler.requests) == 1


def test_404_is_unavailable_and_names_the_url(server, resolver):
    url = f"{server}/missing/model.bin"
    with pytest.raises(DownloadFailed) as exc:
        resolver.resolve(url, PAYLOAD_SHA)
    assert url in str(exc.value) and "404" in str(exc.value)
    assert len(Handler.requests) == 1  # a 4xx is not retried
    assert cache_files(resolver) == []


def test_hash_mismatch_names_file_expected_and_actual_and_keeps_nothing(server, resolver):
    with pytest.raises(HashMismatch) as exc:
        resolver.resolve(f"{server}/corrupt/model.bin", PAYLOAD_SHA)
    message = str(exc.value)
    actual = hashlib.sha256(PAYLOAD[:-1] + b"\x00").hexdigest()
    assert "model.bin" in message and PAYLOAD_SHA in message and actual in message
    assert cache_files(resolver) == [] and partial_files(resolver) == []


def test_truncated_transfer_resumes_with_range(server, resolver):
    got = resolver.resolve(f"{server}/cut-once-resumable/model.bin", PAYLOAD_SHA)
    assert got.path.read_bytes() == PAYLOAD
    assert Handler.requests == [
        ("/cut-once-resumable/model.bin", None),
        ("/cut-once-resumable/model.bin", f"bytes={len(PAYLOAD) // 2}-"),
    ]


def test_truncated_transfer_restarts_when_server_ignores_range(server, resolver):
    got = resolver.resolve(f"{server}/cut-once-norange/model.bin", PAYLOAD_SHA)
    assert got.path.read_bytes() == PAYLOAD
    assert len(Handler.requests) == 2 and Handler.requests[1][1] is not None  # asked to resume, got it all


def test_always_truncated_transfer_fails_after_attempts(server, resolver):
    with pytest.raises(DownloadFailed) as exc:
        resolver.resolve(f"{server}/cut-always/model.bin", PAYLOAD_SHA)
    assert "3 attempts" in str(exc.value)
    assert len(Handler.requests) == 3
    assert cache_files(resolver) == []


def test_slow_server_times_out(server, resolver):
    started = time.monotonic()
    with pytest.raises(DownloadFailed) as exc:
        resolver.resolve(f"{server}/slow/model.bin", PAYLOAD_SHA)
    assert "timed out" in str(exc.value)
    assert time.monotonic() - started < 10
    assert cache_files(resolver) == []


def test_unreachable_host_is_asked_once_per_run(resolver):
    with pytest.raises(Unreachable) as first:
        resolver.resolve("https://127.0.0.1:9/a.pt", None)
    with pytest.raises(Unreachable) as second:
        resolver.resolve("https://127.0.0.1:9/b.pt", None)
    assert "https://127.0.0.1:9/a.pt" in str(first.value)
    assert "earlier in this run" in str(second.value)


def test_unpinned_entry_is_not_fetched_over_http(server, resolver):
    with pytest.raises(Refused) as exc:
        resolver.resolve(f"{server}/ok/model.bin", None)
    assert "HTTPS" in str(exc.value)
    assert Handler.requests == []  # refused before any request
    assert resolver.lock.entries == {}
