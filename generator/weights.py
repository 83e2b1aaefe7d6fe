"""Weights resolution: a card's weights entry (url, sha256 or null, bytes) to a verified local file.

Order: the content-addressed cache (`<cache>/weights/<sha256>`), the weights mirror, then the network (where
the cache and the mirror are: `generator/settings.py`). A file only enters the cache after
its sha256 has been checked, and callers only ever get cache paths, so nothing reads (let alone
unpickles) bytes whose hash was not checked.

Entries with `sha256: null` are trusted on first use and then pinned: their hash is printed and recorded
in the lock file (`catalog/weights.lock.json`, keyed by URL), and every later use verifies against it.
They are fetched only over HTTPS, and `--frozen` refuses them until locked. In the mirror they are found
by the URL's file name; pinned entries are found by hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from .settings import MIRROR_ENV
from .settings import current as current_settings

LOCK_NAME = "weights.lock.json"
CHUNK = 1 << 20


# --- Errors ---------------------------------------------------------------------


class WeightsError(Exception):
    """Base of every weights problem."""


class WeightsUnavailable(WeightsError):
    """The file cannot be had here (no cached or mirrored copy, network refused or failed)."""


class Refused(WeightsUnavailable):
    """A rule forbids fetching it (HTTP for an unpinned entry, `--frozen` for an unlocked one)."""


class HashMismatch(WeightsError):
    """A file whose sha256 is not the pinned or locked one. Nothing is exported from it."""

    def __init__(self, what: str, expected: str, actual: str) -> None:
        super().__init__(f"sha256 mismatch for {what}: expected {expected}, got {actual}")
        self.what, self.expected, self.actual = what, expected, actual


# --- Hashing and the cache ---------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_sha256(path: Path, expected: str) -> None:
    """Raise HashMismatch unless `path` hashes to `expected` (call right before unpickling)."""
    actual = sha256_file(path)
    if actual != expected:
        raise HashMismatch(str(path), expected, actual)


def url_basename(url: str) -> str:
    return unquote(Path(urlparse(url).path).name)


@dataclass(frozen=True)
class Resolved:
    """A verified file in the cache."""

    path: Path
    sha256: str
    bytes: int
    url: str
    origin: str  # "cache", "mirror: <path inside the mirror>" or "network": never a path of this machine


# --- Lock file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LockEntry:
    sha256: str
    bytes: int
    recorded_from: str  # "network" or "mirror"
    recorded: str  # ISO date


@dataclass
class LockFile:
    """`catalog/weights.lock.json`: hashes of `sha256: null` entries, keyed by URL, committed with the project."""

    path: Path
    entries: dict[str, LockEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> LockFile:
        if not path.is_file():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = {url: LockEntry(**entry) for url, entry in data["weights"].items()}
        except (ValueError, KeyError, TypeError) as exc:
            raise WeightsError(f"{path}: not a weights lock file ({exc}); fix or delete it") from exc
        return cls(path, entries)

    def get(self, url: str) -> LockEntry | None:
        return self.entries.get(url)

    def record(self, url: str, sha256: str, size: int, recorded_from: str) -> None:
        self.entries[url] = LockEntry(sha256, size, recorded_from, dt.date.today().isoformat())
        body = {
            "comment": "sha256 of weights whose card entry has `sha256: null`, recorded by `versus export` on "
            "first use and verified on every later one. Commit it. Pin the hash in the card to retire an entry.",
            "version": 1,
            "weights": {u: vars(e) for u, e in sorted(self.entries.items())},
        }
        _write_atomic(self.path, (json.dumps(body, indent=2) + "\n").encode())


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- The mirror --------------------------------------------------------------------------


class Mirror:
    """A read-only folder of weights, searched by hash (filtered by size when known) or by file name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        self._hashes: dict[Path, str] = {}

    def sha256(self, path: Path) -> str:
        if path not in self._hashes:
            self._hashes[path] = sha256_file(path)
        return self._hashes[path]

    def by_hash(self, sha256: str, size: int | None) -> Path | None:
        for path in self._files:
            if size is not None and path.stat().st_size != size:
                continue
            if self.sha256(path) == sha256:
                return path
        return None

    def by_name(self, name: str) -> list[Path]:
        return [p for p in self._files if p.name == name]


# --- Network -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchSettings:
    connect_timeout: float = 15.0
    read_timeout: float = 60.0  # longest silence between two chunks
    attempts: int = 3  # each retry resumes with a Range request where the server allows
    progress: bool = True


class DownloadFailed(WeightsUnavailable):
    pass


class Unreachable(DownloadFailed):
    """No connection to the host at all (no network, DNS, refused): retrying will not help this run."""


def download(url: str, partial: Path, settings: FetchSettings, https_only: bool, shown: str | None = None) -> None:
    """Stream `url` into `partial`, resuming a previous partial file with Range when the server
    supports it and restarting cleanly when it does not. Raises DownloadFailed, naming `shown` (default: `url`;
    the official URL when a test prefix fetched it from elsewhere)."""
    name = shown or url
    import httpx
    from tqdm import tqdm

    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    last = "no attempt made"
    with httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": "versus-export"}) as client:
        for _ in range(settings.attempts):
            have = partial.stat().st_size if partial.exists() else 0
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                with client.stream("GET", url, headers=headers) as response:
                    if https_only:
                        hops = [*(r.url for r in response.history), response.url]
                        if any(hop.scheme != "https" for hop in hops):
                            raise Refused(
                                f"{name}: redirected to {hops[-1]}, not HTTPS; unpinned weights are fetched only over HTTPS"
                            )
                    if response.status_code == 416 and have:  # our partial file is no use: start again
                        partial.unlink()
                        last = "server refused to resume (416); restarted"
                        continue
                    if response.status_code >= 400:
                        reason = f"HTTP {response.status_code} {response.reason_phrase}"
                        if response.status_code < 500:
                            raise DownloadFailed(f"{name}: {reason}")
                        last = reason
                        continue
                    resumed = (
                        have
                        and response.status_code == 206
                        and response.headers.get("content-range", "").startswith(f"bytes {have}-")
                    )
                    if not resumed:
                        have = 0
                    length = response.headers.get("content-length")
                    total = have + int(length) if length and length.isdigit() else None
                    with (
                        partial.open("ab" if resumed else "wb") as f,
                        tqdm(
                            total=total,
                            initial=have,
                            unit="B",
                            unit_scale=True,
                            desc=url_basename(url),
                            disable=None if settings.progress else True,
                            leave=False,
                        ) as bar,
                    ):
                        for chunk in response.iter_bytes():  # as it arrives: a cut keeps what came
                            f.write(chunk)
                            bar.update(len(chunk))
                    size = partial.stat().st_size
                    if total is not None and size != total:
                        last = f"transfer ended at {size} of {total} bytes"
                        continue
                    return
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise Unreachable(f"{name}: cannot connect ({exc or type(exc).__name__})") from exc
            except httpx.TimeoutException as exc:
                last = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:  # cut transfer, protocol error: resume on the next attempt
                last = f"{type(exc).__name__}: {exc}"
    raise DownloadFailed(f"{name}: {last} (after {settings.attempts} attempts)")


# --- The resolver --------------------------------------------------------------------------


class Resolver:
    """Cache, then mirror, then network; see the module docstring."""

    def __init__(
        self,
        lock: LockFile,
        cache: Path | None = None,
        mirror: Path | None = None,
        frozen: bool = False,
        fetch: FetchSettings = FetchSettings(),
        log: Callable[[str], None] = print,
        url_prefix: str | None = None,
    ) -> None:
        self.lock = lock
        # Tests only (settings.TEST_URL_PREFIX_ENV): fetch `url_prefix` + the URL's path instead of the URL, from
        # a local server that serves files at their official paths; hashes and the lock stay keyed by the URL.
        self.url_prefix = url_prefix.rstrip("/") if url_prefix else None
        self.cache = (cache or current_settings().cache) / "weights"
        self.mirror_path = mirror
        self.mirror = Mirror(mirror) if mirror is not None else None
        self.frozen = frozen
        self.fetch = fetch
        self.log = log
        self._unreachable: dict[str, str] = {}  # host -> why, so one run asks a dead host once

    @classmethod
    def from_environment(cls, lock: LockFile, frozen: bool = False, **kwargs) -> Resolver:
        found = current_settings()
        kwargs.setdefault("url_prefix", found.test_url_prefix)
        return cls(lock, cache=found.cache, mirror=found.weights_mirror, frozen=frozen, **kwargs)

    def expected(self, url: str, sha256: str | None) -> str | None:
        """The hash a file must have: pinned in the card, else locked, else None (not yet known)."""
        if sha256:
            return sha256
        entry = self.lock.get(url)
        return entry.sha256 if entry else None

    def resolve(self, url: str, sha256: str | None, size: int | None = None, https_only: bool = True) -> Resolved:
        """`https_only=False` lets an unpinned file come over plain HTTP: only for files whose content the caller
        checks itself after fetching (a data set whose every image has a listed sha256), never for weights."""
        expected = self.expected(url, sha256)
        if expected is None and self.frozen:
            raise Refused(
                f"{url}: sha256 is neither pinned in the card nor recorded in {self.lock.path}; "
                "--frozen refuses it (run without --frozen once to record it)"
            )
        if expected is not None and (hit := self._cached(expected)) is not None:
            return Resolved(hit, expected, hit.stat().st_size, url, "cache")
        if (found := self._from_mirror(url, expected, size)) is not None:
            return found
        return self._from_network(url, expected, https_only)

    def _cached(self, sha256: str) -> Path | None:
        path = self.cache / sha256
        if not path.is_file():
            return None
        actual = sha256_file(path)
        if actual != sha256:  # damaged cache entry: drop it and fetch again
            self.log(f"cache entry {path} hashes to {actual}; removed it")
            path.unlink()
            return None
        return path

    def _ingest(self, chunks: Iterator[bytes], what: str, expected: str | None) -> tuple[Path, str, int]:
        """Copy a stream into the cache through a temp file, moved in only if its hash is right."""
        self.cache.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(prefix=".incoming.", dir=self.cache)
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    f.write(chunk)
            actual = digest.hexdigest()
            if expected is not None and actual != expected:
                raise HashMismatch(what, expected, actual)
            final = self.cache / actual
            os.replace(tmp, final)
            return final, actual, size
        finally:
            Path(tmp).unlink(missing_ok=True)

    def _from_mirror(self, url: str, expected: str | None, size: int | None) -> Resolved | None:
        if self.mirror is None:
            return None
        if expected is not None:
            path = self.mirror.by_hash(expected, size)
            if path is None:
                # A file with the URL's name but another hash is a damaged or different copy: say so.
                named = self.mirror.by_name(url_basename(url))
                if named:
                    raise HashMismatch(f"{named[0]} (mirror copy of {url})", expected, self.mirror.sha256(named[0]))
                return None
        else:
            named = self.mirror.by_name(url_basename(url))
            if not named:
                return None
            path = named[0]
        cached, actual, got = self._ingest(_read_chunks(path), f"{path} (mirror copy of {url})", expected)
        if expected is None:
            self._record(url, actual, got, "mirror")
        return Resolved(cached, actual, got, url, f"mirror: {path.relative_to(self.mirror.root).as_posix()}")

    def _from_network(self, url: str, expected: str | None, https_only: bool = True) -> Resolved:
        where = f"${MIRROR_ENV}" + (f" ({self.mirror_path})" if self.mirror_path else " (none)")
        https_only = https_only and expected is None
        if https_only and urlparse(url).scheme != "https":
            raise Refused(
                f"{url}: sha256 is null and the URL is not HTTPS; unpinned weights are fetched only over HTTPS "
                f"(pin the hash in the card, or put the file in {where})"
            )
        host = urlparse(url).netloc
        if host in self._unreachable:
            raise Unreachable(f"{url}: cannot connect ({self._unreachable[host]}, earlier in this run)")
        partials = self.cache / ".partial"
        partials.mkdir(parents=True, exist_ok=True)
        partial = partials / (expected or hashlib.sha256(url.encode()).hexdigest())
        fetched = url
        if self.url_prefix:  # the official URL's scheme was checked above; the stand-in host is local
            fetched = self.url_prefix + urlparse(url).path
            self.log(f"{url}: fetching {fetched} instead (test URL prefix)")
        try:
            download(fetched, partial, self.fetch, https_only=https_only and fetched == url, shown=url)
        except Unreachable as exc:
            self._unreachable[host] = str(exc.__cause__ or exc)
            raise
        try:
            cached, actual, got = self._ingest(
                _read_chunks(partial), f"{url_basename(url)} downloaded from {url}", expected
            )
        finally:
            partial.unlink(missing_ok=True)
        if expected is None:
            self._record(url, actual, got, "network")
        return Resolved(cached, actual, got, url, "network")

    def _record(self, url: str, sha256: str, size: int, origin: str) -> None:
        self.lock.record(url, sha256, size, origin)
        self.log(f"recorded sha256 {sha256} ({size} bytes, from the {origin}) for {url} in {self.lock.path}")


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def copy_verified(resolved: Resolved, dest: Path) -> Path:
    """A private copy of a resolved file, re-hashed after copying (for tools that write beside their input)."""
    shutil.copyfile(resolved.path, dest)
    ensure_sha256(dest, resolved.sha256)
    return dest
