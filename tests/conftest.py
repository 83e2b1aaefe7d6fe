"""Shared test configuration. Catalog and site fixtures live in tests/catalogs.py (loaded as a plugin).

Prerequisites from the shared data folder (weights mirror, image sets: README, Settings) are never skipped
silently. A test that needs one either carries `@pytest.mark.needs_shared("weights_mirror", ...)` or reaches
`SETTINGS.require(...)`; where the folder is missing, it is reported as a skip whose reason starts with
`needs_shared:` and names the folder and the variable to set (`pytest -ra` lists each, and the summary counts
them). Where a shared folder is present (CI), nothing may be missing: the same test fails instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import settings

SHARED_MARK = "needs_shared"


def shared_present(found: settings.Settings) -> bool:
    """A shared folder with something in it: then every prerequisite must be there (CI has ../shared)."""
    return found.shared is not None and found.shared.is_dir() and any(found.shared.iterdir())


def missing(found: settings.Settings, fields: tuple[str, ...]) -> str | None:
    """Why the folders `fields` cannot be used here, or None when they all can."""
    for field in fields:
        try:
            found.require(field)
        except settings.SettingsError as exc:
            return str(exc)
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{SHARED_MARK}(*fields): needs these settings folders (weights_mirror, sample_set, sample_images, "
        "accuracy_images); missing, the test is skipped with the variable to set, or fails where a shared folder "
        "is present",
    )
    config.addinivalue_line("markers", "shared_missing(why): set by conftest.py: fails a needs_shared test in CI")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marked tests whose folders are missing: skipped at the test's own location (so `-ra` names it), or
    failed at set-up where a shared folder is present."""
    found = settings.current()
    for item in items:
        for mark in item.iter_markers(SHARED_MARK):
            why = missing(found, tuple(mark.args))
            if why and shared_present(found):
                item.add_marker(pytest.mark.shared_missing(why))
                break
            if why:
                item.add_marker(pytest.mark.skip(reason=f"{SHARED_MARK}: {why}"))
                break


def pytest_runtest_setup(item: pytest.Item) -> None:
    mark = item.get_closest_marker("shared_missing")
    if mark is not None:
        found = settings.current().shared
        pytest.fail(f"{SHARED_MARK}: {mark.args[0]}, although the shared folder {found} is present", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A SettingsError out of a test or its fixtures (`SETTINGS.require`) is a missing prerequisite: a named skip
    without a shared folder, a failure with one."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None or not call.excinfo.errisinstance(settings.SettingsError):
        return
    if shared_present(settings.current()):
        return  # stays a failure: CI must run everything
    _, line, _ = item.location
    report.outcome = "skipped"
    report.longrepr = (str(Path(item.fspath)), (line or 0) + 1, f"Skipped: {SHARED_MARK}: {call.excinfo.value}")


def shared_folder(field: str) -> Path:
    """A settings folder for a module-level constant of a test module that carries `needs_shared(field)`: the
    folder, or a path that does not exist (the mark then skips every test of the module before it is read)."""
    found = getattr(settings.current(), field)
    return found if found is not None else Path("/nonexistent") / f"no-{field.replace('_', '-')}"
