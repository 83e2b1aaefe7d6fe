"""Resolution through the cache, the weights mirror (README: Settings) and the lock file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.weights import HashMismatch, LockFile, Refused, Resolver, WeightsError, sha256_file

from .conftest import shared_folder

pytestmark = pytest.mark.needs_shared("weights_mirror")  # skipped, named, where missing (conftest.py)
MIRROR = shared_folder("weights_mirror")
SSD = MIRROR / "ssd_mobilenet_v2_coco" / "mobilenet_ssd_v2_coco_quant_postprocess.tflite"
SSD_SHA = "7046f31a72ec0045a57b94199144c96cf5840c7dc106b808b64a1ed5559aa0cd"
YOLO11N = MIRROR / "yolo11n" / "yolo11n_int8.tflite"
YOLO11N_SHA = "4ee1bf62fe1574dcb1202fc5e561dfe6d310aa9df930864b93a9b640496b003c"
UNREACHABLE = "https://127.0.0.1:9"  # nothing listens on port 9: the network step fails at once


def resolver(tmp_path: Path, mirror: Path | None = MIRROR, frozen: bool = False, cache: str = "cache") -> Resolver:
    lock = LockFile.load(tmp_path / "weights.lock.json")
    return Resolver(lock, cache=tmp_path / cache, mirror=mirror, frozen=frozen, log=lambda message: None)


def test_pinned_entry_is_found_in_the_mirror_by_hash_and_cached(tmp_path):
    got = resolver(tmp_path).resolve(f"{UNREACHABLE}/any-name.tflite", SSD_SHA, SSD.stat().st_size)
    # the origin names the file by its place inside the mirror, not by a path of this machine
    assert got.origin == "mirror: ssd_mobilenet_v2_coco/mobilenet_ssd_v2_coco_quant_postprocess.tflite"
    assert got.path == tmp_path / "cache" / "weights" / SSD_SHA
    assert sha256_file(got.path) == SSD_SHA
    assert not (tmp_path / "weights.lock.json").exists()  # pinned entries need no lock


def test_cache_hit_needs_no_mirror(tmp_path):
    resolver(tmp_path).resolve(f"{UNREACHABLE}/ssd.tflite", SSD_SHA)
    got = resolver(tmp_path, mirror=None).resolve(f"{UNREACHABLE}/ssd.tflite", SSD_SHA)
    assert got.origin == "cache"


def test_damaged_cache_entry_is_replaced(tmp_path):
    first = resolver(tmp_path).resolve(f"{UNREACHABLE}/ssd.tflite", SSD_SHA)
    first.path.write_bytes(b"damaged")
    got = resolver(tmp_path).resolve(f"{UNREACHABLE}/ssd.tflite", SSD_SHA)
    assert got.origin.startswith("mirror:") and sha256_file(got.path) == SSD_SHA


def test_unpinned_entry_is_found_by_name_hashed_and_locked(tmp_path):
    url = f"{UNREACHABLE}/releases/yolo11n_int8.tflite"
    got = resolver(tmp_path).resolve(url, None)
    assert got.sha256 == YOLO11N_SHA and got.origin == "mirror: yolo11n/yolo11n_int8.tflite"
    data = json.loads((tmp_path / "weights.lock.json").read_text())
    assert data["weights"][url] == {
        "sha256": YOLO11N_SHA,
        "bytes": YOLO11N.stat().st_size,
        "recorded_from": "mirror",
        "recorded": data["weights"][url]["recorded"],
    }
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left behind
    # A later run verifies against the lock, and finds it in the cache.
    again = resolver(tmp_path, mirror=None).resolve(url, None)
    assert (again.origin, again.sha256) == ("cache", YOLO11N_SHA)


def test_locked_hash_is_enforced(tmp_path):
    url = f"{UNREACHABLE}/releases/yolo11n_int8.tflite"
    resolver(tmp_path).resolve(url, None)
    other = tmp_path / "other-mirror"
    other.mkdir()
    (other / "yolo11n_int8.tflite").write_bytes(YOLO11N.read_bytes()[:-10])  # a truncated copy, same name
    with pytest.raises(HashMismatch) as exc:
        resolver(tmp_path, mirror=other, cache="fresh-cache").resolve(url, None)
    assert YOLO11N_SHA in str(exc.value) and "other-mirror/yolo11n_int8.tflite" in str(exc.value)
    assert not (tmp_path / "fresh-cache" / "weights" / YOLO11N_SHA).exists()


def test_corrupted_mirror_copy_of_a_pinned_file_is_a_hash_error(tmp_path):
    damaged = tmp_path / "mirror"
    damaged.mkdir()
    data = bytearray(SSD.read_bytes())
    data[1000] ^= 0xFF
    (damaged / SSD.name).write_bytes(bytes(data))
    with pytest.raises(HashMismatch) as exc:
        resolver(tmp_path, mirror=damaged).resolve(f"{UNREACHABLE}/{SSD.name}", SSD_SHA)
    assert str(damaged / SSD.name) in str(exc.value) and SSD_SHA in str(exc.value)
    assert list((tmp_path / "cache" / "weights").glob("[0-9a-f]*")) == []


def test_frozen_refuses_what_is_neither_pinned_nor_locked(tmp_path):
    url = f"{UNREACHABLE}/releases/yolo11n_int8.tflite"
    with pytest.raises(Refused) as exc:
        resolver(tmp_path, frozen=True).resolve(url, None)
    assert "--frozen" in str(exc.value)
    resolver(tmp_path).resolve(url, None)  # records it in the lock
    assert resolver(tmp_path, frozen=True).resolve(url, None).sha256 == YOLO11N_SHA
    assert resolver(tmp_path, frozen=True).resolve(f"{UNREACHABLE}/x.tflite", SSD_SHA).sha256 == SSD_SHA


def test_broken_lock_file_is_reported(tmp_path):
    (tmp_path / "weights.lock.json").write_text("{not json")
    with pytest.raises(WeightsError) as exc:
        LockFile.load(tmp_path / "weights.lock.json")
    assert "weights.lock.json" in str(exc.value)


def test_mirror_without_the_file_falls_through_to_the_network(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(SSD, empty / "unrelated.bin")
    with pytest.raises(Refused):  # HTTP and unpinned: refused rather than fetched
        resolver(tmp_path, mirror=empty).resolve("http://127.0.0.1:9/yolo11n.pt", None)
