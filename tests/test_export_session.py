"""What an export run verifies on and scores with when nothing is configured (a fresh clone): the shipped samples,
and labelled images from the settings, else COCO's downloads, else a plain reason the accuracy check did not run."""

from __future__ import annotations

import pytest
import yaml

from generator import settings
from generator.export import session
from generator.weights import Unreachable

from .catalogs import ROOT


@pytest.fixture
def labels(catalog):
    return dict(catalog.registry.labels)


def _shipped() -> list[str]:
    listing = yaml.safe_load((ROOT / "wasm_demo" / "samples" / "samples.yaml").read_text(encoding="utf-8"))
    return [s["file"] for s in listing["samples"]]


def test_verification_defaults_to_the_shipped_samples_even_with_a_shared_sample_set(monkeypatch, tmp_path) -> None:
    (tmp_path / "shared" / "images" / "coco-sample" / "images").mkdir(parents=True)
    monkeypatch.setenv(settings.SHARED_ENV, str(tmp_path / "shared"))
    monkeypatch.delenv(settings.SAMPLE_SET_ENV, raising=False)
    got = session.sample_images()
    assert [p.name for p in got.paths] == _shipped() and got.name == f"shipped samples ({len(_shipped())} images)"
    assert [p.name for p in session.sample_images(count=2).paths] == _shipped()[:2]


def test_a_sample_set_named_in_the_environment_or_on_the_command_line_is_used(monkeypatch, tmp_path) -> None:
    images = tmp_path / "set" / "images"
    images.mkdir(parents=True)
    for name in ("b.jpg", "a.png", "notes.txt"):
        (images / name).write_bytes(b"x")
    monkeypatch.setenv(settings.SAMPLE_SET_ENV, str(tmp_path / "set"))
    assert [p.name for p in session.sample_images().paths] == ["a.png", "b.jpg"]
    monkeypatch.delenv(settings.SAMPLE_SET_ENV)
    assert [p.name for p in session.sample_images(images, 1).paths] == ["a.png"]
    with pytest.raises(SystemExit, match=r"no sample images in .*empty"):
        session.sample_images(tmp_path / "empty")


def test_labelled_images_come_from_the_settings_without_a_download(monkeypatch, tmp_path, labels) -> None:
    root = tmp_path / "val"
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    (root / "images" / "1.jpg").write_bytes(b"x")
    monkeypatch.setenv(settings.ACCURACY_ENV, str(root))
    found, why = session.labelled_images(labels, ROOT / "catalog", fetch=lambda *a: pytest.fail("downloaded"))
    assert why is None and [p.name for p in found.paths] == ["1.jpg"]


def test_without_labelled_images_the_download_is_tried_then_the_reason_is_given(monkeypatch, tmp_path, labels) -> None:
    monkeypatch.setenv(settings.ACCURACY_ENV, "")
    built = tmp_path / "built"
    (built / "images").mkdir(parents=True)
    (built / "labels").mkdir()
    (built / "images" / "2.jpg").write_bytes(b"x")
    found, why = session.labelled_images(labels, ROOT / "catalog", fetch=lambda *a: built)
    assert why is None and found.root == built

    def unreachable(*args):
        raise Unreachable("http://images.cocodataset.org/zips/val2017.zip: cannot connect (no route)")

    found, why = session.labelled_images(labels, ROOT / "catalog", fetch=unreachable)
    assert found is None
    assert why.startswith("no labelled COCO val2017 images: no accuracy images folder, and building them from COCO")
    assert "cannot connect (no route)" in why and settings.ACCURACY_ENV in why


def test_reasons_that_reach_the_pages_name_settings_not_folders_of_this_machine(tmp_path) -> None:
    found = settings.resolve(
        {settings.SHARED_ENV: str(tmp_path / "shared"), settings.MIRROR_ENV: str(tmp_path / "shared" / "weights")},
        root=tmp_path / "repo",
        home=tmp_path,
    )
    text = (
        f"https://x/y.pt: not found; put the file in $VERSUS_WEIGHTS_MIRROR ({tmp_path}/shared/weights) or {tmp_path}/z"
    )
    said = settings.redact(text, found, home=tmp_path)
    assert said == "https://x/y.pt: not found; put the file in $VERSUS_WEIGHTS_MIRROR ($VERSUS_WEIGHTS_MIRROR) or ~/z"
    assert str(tmp_path) not in said
