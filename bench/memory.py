"""Resident memory of this process, from /proc/self/status (Linux).

The peak is ``VmHWM``, the high-water mark of this process's own address space. Not ``ru_maxrss``: Linux carries
it across exec, so a child that Python starts with vfork (subprocess does, where it can) reports the *parent's*
peak until its own grows past it. Run after other benchmarks in one ``python -m bench``, the badge children
reported the parent's 336 MB as their peak.
"""

from __future__ import annotations


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_now_mb() -> float:
    """Resident size now (VmRSS), MB."""
    return _status_mb("VmRSS")


def rss_peak_mb() -> float:
    """The most this process has had resident (VmHWM), MB."""
    return _status_mb("VmHWM")
