"""Running a command and measuring it: wall time and the peak memory of its whole process tree.

The peak is the largest sum of resident memory over the process and every descendant (kernels,
pandoc, Typst, Quarto's deno), sampled every 50 ms with psutil while it runs; a process living
less than that between two samples can be missed, and pages shared between processes are counted
once per process, so the figure errs on the high side. (`resource.getrusage(RUSAGE_CHILDREN)`
would give only the largest single process, and a maximum over everything this benchmark ever
ran, so it is not used.)
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass


@dataclass
class Measured:
    returncode: int
    seconds: float
    peak_tree_mb: float
    stdout: str
    stderr: str
    timed_out: bool = False


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run(cmd: list[str], *, cwd=None, env=None, timeout: float | None = None, interval: float = 0.05) -> Measured:
    import psutil

    t0 = time.monotonic()
    popen = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            proc = psutil.Process(popen.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    try:
        out, err = popen.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(popen.pid, 9)
        out, err = popen.communicate()
    seconds = time.monotonic() - t0
    stop.set()
    sampler.join()
    return Measured(popen.returncode, seconds, peak / 1e6, out, err, timed_out)
