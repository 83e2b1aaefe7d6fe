"""What a measurement ran on and with: the machine, library versions and the project commit."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from ..measurement import Machine, slug


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip() or None
    except OSError:
        pass
    return platform.processor() or None


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _os_name() -> str:
    """`Debian GNU/Linux 12 (bookworm), Linux 6.1.0` rather than platform's glibc-laden tag."""
    try:
        pretty = platform.freedesktop_os_release().get("PRETTY_NAME")
    except OSError:
        pretty = None
    kernel = f"{platform.system()} {platform.release()}"
    return f"{pretty}, {kernel}" if pretty else platform.platform(terse=True)


def this_machine(name: str | None = None) -> Machine:
    """This computer; `name` overrides the derived short id (CPU, cores, memory) used in run ids."""
    cpu = _cpu_model()
    cores = os.cpu_count() or 1
    memory = _memory_bytes()
    derived = slug(f"{cpu or platform.machine()} {cores}c" + (f" {round(memory / 2**30)}g" if memory else ""))
    return Machine(name=slug(name) if name else derived, cpu=cpu, cores=cores, memory_bytes=memory, os=_os_name())


def python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
