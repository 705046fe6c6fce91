"""Running a command and measuring it: wall time, or the peak memory of its whole process tree.

The peak is the largest sum of memory over the process and every descendant (kernels, pandoc,
Typst, Quarto's deno), sampled every 50 ms while it runs (psutil finds the processes): each
process's proportional set size where Linux reports it, so pages shared between processes count
once, else its resident set size. A process living less than 50 ms can be missed. (`resource.getrusage(RUSAGE_CHILDREN)`
would give only the largest single process, and a maximum over everything this benchmark ever
ran, so it is not used.)

Sampling is not free: reading a large process's `smaps_rollup` walks its page tables under the
lock its own page faults need, and on two busy cores a 50 ms sampler made a cold build ~0.9 s
(11 %) slower. So a run either samples memory or is timed (`memory=False`), not both: run.py
takes times from runs without the sampler and memory from runs of their own.
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
    peak_tree_mb: float | None  # None: not sampled
    stdout: str
    stderr: str
    timed_out: bool = False


def _pss(pid: int) -> int | None:
    """Proportional set size: resident memory with pages shared between processes (libraries,
    the forked Python of a kernel) divided among them, so a sum over processes counts each page
    once. From /proc (Linux); None where that is not available."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _tree_memory(proc) -> int:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        pss = _pss(p.pid)
        if pss is None:
            try:
                pss = p.memory_info().rss
            except psutil.Error:
                pss = 0
        total += pss
    return total


def run(cmd: list[str], *, cwd=None, env=None, timeout: float | None = None, interval: float = 0.05,
        memory: bool = True) -> Measured:
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
            peak = max(peak, _tree_memory(proc))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
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
    if memory:
        sampler.join()
    return Measured(popen.returncode, seconds, peak / 1e6 if memory else None, out, err, timed_out)
