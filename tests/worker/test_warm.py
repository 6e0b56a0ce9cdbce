"""A warmed worker's memory: freed canvases go back to the system instead of staying in the heap."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# In a fresh interpreter: glibc raises its mmap threshold after the first large free, so a later
# canvas-sized block comes from the heap and stays there once freed, unless the worker fixed it.
PROBE = textwrap.dedent(
    """
    import sys
    from worker.warm import few_malloc_arenas

    def rss_kb():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    if sys.argv[1] == "tuned":
        few_malloc_arenas()
    big = bytearray(24 * 1024 * 1024)  # a large free: glibc would raise its threshold to 24 MB
    del big
    before = rss_kb()
    canvas = bytearray(b"x" * (4 * 1024 * 1024 + 17))  # a slide's canvas, written
    del canvas
    print(rss_kb() - before)
    """
)


def _kept_kb(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_freed_canvas_goes_back_to_the_system_in_a_warmed_worker() -> None:
    assert _kept_kb("plain") > 2048  # the heap keeps it: what the setting is for
    assert _kept_kb("tuned") < 1024
