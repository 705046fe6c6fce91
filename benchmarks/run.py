"""Benchmarks of the real book, each figure with its ratio and target (issue 15).

    python benchmarks/run.py [--runs N] [--keep] [--no-quarto] [--no-preview] [--no-scale]

All in scratch copies of the repository (your `_book/` and cache are never touched), with the
copy's own `src/` first on PYTHONPATH so one run measures one snapshot of the code:

builds    (N runs, HTML + PDF, each a fresh `report build`-equivalent process, timed from
          interpreter start; the peak memory of its process tree comes from one more pass of the
          same builds with the sampler on, which slows them): cold (no cache, no
          _book/), then the floor (benchmarks/floor.py on what the cold build kept), nothing
          changed, one dataset (a value in data/fig16_childcare.csv: Chapter 3 and the Data and
          methods appendix read it; Figure 16 is drawn from it), one chapter's prose (a sentence
          added to chapters/05-social-capital.qmd).
          Targets: cold <= 1.3 x floor; nothing changed <= 0.06 x cold; one dataset <= 0.35 x cold.
quarto    real Quarto (`quarto render --to html`, from $QUARTO, PATH or the kit that
          ../shared/quarto/assemble.sh builds) on another scratch copy, against the embedded
          engine's cold HTML + PDF build of this run. Target: Quarto's HTML >= 10 x embedded.
          Skipped with a note when there is no Quarto.
preview   save-to-visible in `report preview` with a headless Chromium (preview_bench.py).
          Targets: prose edit <= 1 s, data edit that changes one chart <= 2 s.
scale     cold builds of generated books 1x, 2x and 5x the real one (scale.py). Targets: 5x in
          <= 5 x the 1x time, peak memory <= 1 GB, REPORT_KERNELS = the cores there are.

Prints the tables and writes them to benchmarks/results.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results.md"
EPOCH = "1704067200"  # fixed, so the scratch copy needs no git history
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
from scratch import CHAPTER, DATASET, scratch_copy, set_value

CHAPTER_EDIT = "\n\nThis sentence was added by the build benchmark.\n"
PROSE = "one chapter's prose"
QUARTO_VERSION = "1.9.38"


def bench_env(project: Path) -> dict[str, str]:
    # The copy's tool (src/) and publication code (lib/) come first, for the engine and its kernels.
    path = os.pathsep.join(p for p in (str(project / "src"), str(project / "lib"), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": path}
    env.pop("REPORT_KEEP_BUILD", None)
    return env


def timed_build(project: Path, *, to: str = "all", keep: bool = False, record: Path | None = None,
                timeout: float = 1800, memory: bool = False) -> dict:
    """One build in a fresh process: timed, or with its peak memory sampled (measure.py: not both)."""
    env = bench_env(project)
    if keep:
        env["REPORT_KEEP_BUILD"] = "1"
    cmd = [sys.executable, str(HERE / "timed_build.py"), str(project), "--to", to]
    if record:
        cmd += ["--record", str(record)]
    m = measure.run(cmd, cwd=project, env=env, timeout=timeout, memory=memory)
    result, kept = None, None
    for line in m.stdout.splitlines():
        if line.startswith("kept build directory "):
            kept = Path(line.removeprefix("kept build directory ").strip())
        elif line.startswith("{"):
            result = json.loads(line)
    if m.returncode != 0 or result is None or not result.get("ok"):
        detail = (result or {}).get("error") or m.stderr[-4000:] or m.stdout[-4000:]
        raise SystemExit(f"benchmark build failed in {project}:\n{detail}")
    result.update(wall=m.seconds, peak_mb=m.peak_tree_mb, kept=str(kept) if kept else None)
    return result


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def default_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def least_cold(f: dict, cores: int) -> float | None:
    """The least time a cold build could take on `cores` cores, from the floor's measured parts:
    the charts as the book shows them, the data validated and one kernel booted must all be done
    before the Typst writer and the HTML pandoc may start (both need every chapter's output, and
    nothing renders from unchecked data); the writer and the compile after it run one after the
    other, the HTML beside them. Everything else a build does (its own imports, parsing the
    chapters, assembling, the chapters' other code, a second kernel) is left out, so no build
    can beat this; the gap between it and the cold build is that overhead and idle cores."""
    if not all(k in f for k in ("validation", "kernel_boot", "figures_as_shown")):
        return None
    before = f["figures_as_shown"] + f["validation"] + f["kernel_boot"]
    tail = f["pandoc_typst"] + f["typst_compile"]
    if cores < 2:
        return before + tail + f["pandoc_html"]
    return before / cores + max(tail, f["pandoc_html"])


def rng(values: list[float], fmt: str = "{:.2f}") -> str:
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    return fmt.format(lo) if abs(hi - lo) < 0.005 else f"{fmt.format(lo)}–{fmt.format(hi)}"


def verdict(values: list[float], limit: float, above: bool = False) -> str:
    """met / MISSED per run: 'met' when every run met it, 'met in k of n' otherwise."""
    ok = [(v >= limit) if above else (v <= limit) for v in values]
    if all(ok):
        return "met"
    if not any(ok):
        return "MISSED"
    return f"met in {sum(ok)} of {len(ok)} runs"


# --- builds ----------------------------------------------------------------------------------------

def _clean(project: Path) -> None:
    shutil.rmtree(project / "_book", ignore_errors=True)
    shutil.rmtree(project / ".report-cache", ignore_errors=True)
    for leftover in project.glob("_book.build-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _edit_chapter(project: Path) -> None:
    path = project / CHAPTER
    path.write_text(path.read_text(encoding="utf-8") + CHAPTER_EDIT, encoding="utf-8")


def _restore(project: Path) -> None:
    shutil.copy2(REPO / DATASET, project / DATASET)
    shutil.copy2(REPO / CHAPTER, project / CHAPTER)


SCENARIOS = ("cold", "nothing changed", "one dataset", PROSE)


def _four_builds(project: Path, value: int, say, build, shown, after_cold=None) -> dict[str, dict]:
    """The scenarios in order on a clean `project`: cold, nothing changed, one dataset (its value
    set to `value`), one chapter's prose. `build(name)` makes one build and `shown(result)` says
    what it measured; `after_cold(row)` runs straight after the cold build."""
    _clean(project)
    row: dict[str, dict] = {}
    for name in SCENARIOS:
        if name == "one dataset":
            set_value(project, value)
        elif name == PROSE:
            _edit_chapter(project)
        say(f"{name} … ")
        row[name] = build(name)
        say(shown(row[name]) + ("\n" if name == PROSE else "; "))
        if name == "cold" and after_cold is not None:
            after_cold(row)
    return row


def memory_pass(project: Path, say) -> dict[str, float]:
    """The four builds once more, each with its peak memory sampled (and so not timed)."""
    _restore(project)
    say("memory (sampled, not timed): ")
    row = _four_builds(project, 19, say, lambda name: timed_build(project, memory=True),
                       lambda r: f"{r['peak_mb']:.0f} MB")
    _restore(project)
    return {name: r["peak_mb"] for name, r in row.items()}


def build_runs(scratch: Path, runs: int, say) -> list[dict]:
    project = scratch_copy(scratch / "project")
    out = []
    for i in range(runs):
        calls = scratch / f"tool-calls-{i}.json"

        def build(name: str, calls: Path = calls) -> dict:
            return timed_build(project, keep=True, record=calls) if name == "cold" else timed_build(project)

        def floor(row: dict, calls: Path = calls) -> None:
            # The floor replays the cold build's pandoc and Typst runs on the files it kept, before
            # the next build tidies them away.
            say("floor … ")
            proc = subprocess.run([sys.executable, str(HERE / "floor.py"), str(project), str(calls)],
                                  capture_output=True, text=True, env=bench_env(project))
            if proc.returncode != 0:
                raise SystemExit(f"benchmark: floor measurement failed:\n{proc.stderr[-4000:]}")
            row["floor"] = json.loads(proc.stdout.strip().splitlines()[-1])
            if row["cold"]["kept"]:
                shutil.rmtree(row["cold"]["kept"], ignore_errors=True)
            say(f"{row['floor']['floor']:.2f} s; ")

        say(f"run {i + 1}/{runs}: ")
        out.append(_four_builds(project, 22 - i, say, build, lambda r: f"{r['wall']:.2f} s", floor))
    # Back to the repository's data and text for what follows.
    _restore(project)
    return out


# --- Quarto ------------------------------------------------------------------------------------------

def find_quarto(say) -> tuple[str | None, str]:
    """The quarto executable and where it came from, or None and why not."""
    env = os.environ.get("QUARTO")
    if env and Path(env).is_file():
        return env, "$QUARTO"
    found = shutil.which("quarto")
    if found:
        return found, "PATH"
    kit = Path(os.environ.get("QUARTO_KIT") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
               / f"quarto-kit-{QUARTO_VERSION}")
    if (kit / "bin" / "quarto").is_file():
        return str(kit / "bin" / "quarto"), f"the kit in {kit}"
    script = REPO.parent / "shared" / "quarto" / "assemble.sh"
    if not script.is_file():
        return None, f"no quarto on PATH, no $QUARTO, and no kit ({script} is absent)"
    say(f"assembling the Quarto kit with {script} … ")
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=3600)
    if proc.returncode == 0 and (kit / "bin" / "quarto").is_file():
        return str(kit / "bin" / "quarto"), f"the kit in {kit}"
    return None, f"{script} failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"


def quarto_compare(scratch: Path, timeout: float, say) -> dict:
    quarto, origin = find_quarto(say)
    if quarto is None:
        return {"skipped": origin}
    project = scratch_copy(scratch / "quarto-project")
    env = bench_env(project)
    env["QUARTO_PYTHON"] = sys.executable
    env["PATH"] = os.pathsep.join([str(Path(quarto).parent), str(Path(sys.executable).parent), env.get("PATH", "")])
    version = subprocess.run([quarto, "--version"], capture_output=True, text=True, env=env).stdout.strip()
    say(f"quarto {version} ({origin}): quarto render --to html … ")
    # Timed and sampled in one run, every 0.5 s: a tenth of the builds' rate, so the sampler costs
    # Quarto's 40-odd seconds a fraction of a percent, and a 45 s run has no peak that brief.
    m = measure.run([quarto, "render", "--to", "html"], cwd=project, env=env, timeout=timeout, interval=0.5)
    out = {"version": version, "origin": origin, "seconds": m.seconds, "peak_mb": m.peak_tree_mb,
           "returncode": m.returncode, "timed_out": m.timed_out}
    if m.timed_out:
        out["failure"] = f"did not finish within {timeout:.0f} s"
    elif m.returncode != 0:
        tail = [line for line in (m.stderr or m.stdout).splitlines() if line.strip()][-8:]
        out["failure"] = f"exit code {m.returncode}: " + " / ".join(tail)
    say(f"{m.seconds:.1f} s" + (f" ({out['failure'][:120]})" if "failure" in out else "") + "\n")
    return out


# --- scale -------------------------------------------------------------------------------------------

def scale_series(scratch: Path, factors: list[int], say) -> list[dict]:
    import scale

    out = []
    for k in factors:
        project = scratch_copy(scratch / f"scale-{k}" / "project")
        counts = scale.make(project, k)
        say(f"{k}x ({counts['chapters']} chapters, {counts['charts']} charts, "
            f"{counts['data_bytes'] / 1e6:.1f} MB of data): cold … ")
        r = timed_build(project)
        say(f"{r['wall']:.2f} s; memory … ")
        _clean(project)
        peak = timed_build(project, memory=True)["peak_mb"]
        say(f"peak {peak:.0f} MB\n")
        out.append({"k": k, **counts, "wall": r["wall"], "peak_mb": peak, "pages": r.get("pages")})
        shutil.rmtree(project.parent, ignore_errors=True)
    return out


# --- report ------------------------------------------------------------------------------------------

def render(runs: list[dict], peaks: dict[str, float], quarto: dict | None, preview: dict | None,
           scale_rows: list[dict] | None, kernels: int) -> str:
    cold = [r["cold"]["wall"] for r in runs]
    floor = [r["floor"]["floor"] for r in runs]
    lines = [
        "# Benchmarks",
        "",
        f"`python benchmarks/run.py` on {machine()}; {len(runs)} run(s) of the build scenarios, each ratio",
        f"taken within one run; REPORT_KERNELS default: {kernels} (the usable cores). Times come from runs",
        "without the memory sampler, peak memory from runs of its own (benchmarks/measure.py).",
        "",
        "## Targets",
        "",
        "| figure | measured | ratio | target | verdict |",
        "|---|---:|---:|---|---|",
    ]
    ratio_cold = [c / f for c, f in zip(cold, floor)]
    lines.append(f"| cold build (HTML + PDF) | {rng(cold)} s | {rng(ratio_cold)} × floor | ≤ 1.3 × floor | "
                 f"{verdict(ratio_cold, 1.3)} |")
    shown = [r["floor"].get("floor_as_shown") for r in runs]
    if all(shown):
        lines.append(f"| cold build against the floor as shown (charts drawn for the page and the phone) | "
                     f"{rng(cold)} s | {rng([c / f for c, f in zip(cold, shown)])} × floor as shown | – | – |")
    least = [least_cold(r["floor"], kernels) for r in runs]
    if all(least):
        lines.append(f"| the least a cold build could take on {kernels} cores (the floor's parts, no overhead; "
                     f"see below) | {rng(least)} s | {rng([b / f for b, f in zip(least, floor)])} × floor | – | – |")
    for name, limit in (("nothing changed", 0.06), ("one dataset", 0.35)):
        secs = [r[name]["wall"] for r in runs]
        ratios = [s / c for s, c in zip(secs, cold)]
        lines.append(f"| {name} | {rng(secs)} s | {rng(ratios, '{:.3f}')} × cold | ≤ {limit:g} × cold | "
                     f"{verdict(ratios, limit)} |")
    secs = [r[PROSE]["wall"] for r in runs]
    lines.append(f"| one chapter's prose | {rng(secs)} s | {rng([s / c for s, c in zip(secs, cold)], '{:.3f}')} × cold "
                 f"| – | – |")
    if preview and "skipped" not in preview:
        for kind, limit in (("prose", 1.0), ("data", 2.0)):
            values = [s for s, _ in preview[kind]]
            modes = sorted({m.split()[0] for _, m in preview[kind]})
            what = "prose edit" if kind == "prose" else "data edit (one chart)"
            lines.append(f"| preview: {what}, save to visible | {rng(values)} s (median "
                         f"{statistics.median(values):.2f}; {', '.join(modes)}) | – | ≤ {limit:g} s | "
                         f"{verdict(values, limit)} |")
    elif preview:
        lines.append(f"| preview | skipped: {preview['skipped']} | | | |")
    if quarto and "skipped" not in quarto:
        if "failure" in quarto:
            lines.append(f"| real Quarto {quarto['version']}, HTML only | failed after {quarto['seconds']:.1f} s: "
                         f"{quarto['failure']} | – | ≥ 10 × | not measured |")
        else:
            ratio = quarto["seconds"] / statistics.median(cold)
            lines.append(f"| real Quarto {quarto['version']}, HTML only vs embedded cold HTML + PDF (median) | "
                         f"{quarto['seconds']:.1f} s, peak {quarto['peak_mb']:.0f} MB vs {statistics.median(cold):.2f} s | "
                         f"{ratio:.1f} × | embedded ≥ 10 × faster | {'met' if ratio >= 10 else 'MISSED'} |")
    elif quarto:
        lines.append(f"| real Quarto | skipped: {quarto['skipped']} | | | |")
    if scale_rows:
        base = next((s for s in scale_rows if s["k"] == 1), None)
        for s in scale_rows:
            if s["k"] == 1 or base is None:
                continue
            ratio = s["wall"] / base["wall"]
            lines.append(f"| scale {s['k']}× cold ({s['chapters']} chapters, {s['charts']} charts) | "
                         f"{s['wall']:.2f} s, peak {s['peak_mb']:.0f} MB | {ratio:.2f} × 1× | "
                         f"≤ {s['k']} × 1×, ≤ 1 GB | "
                         f"{'met' if ratio <= s['k'] and s['peak_mb'] <= 1000 else 'MISSED'} |")
    if scale_rows:
        lines.append(f"| REPORT_KERNELS default | {kernels} kernels | – | the cores there are ({default_cores()}) | "
                     f"{'met' if kernels == default_cores() else 'MISSED'} |")
    lines += ["", "## Builds, per run", "",
              "| run | cold s | floor s | cold/floor | nothing s | /cold | one dataset s | /cold | prose s | /cold |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for i, r in enumerate(runs, 1):
        c = r["cold"]["wall"]
        lines.append(f"| {i} | {c:.2f} | {r['floor']['floor']:.2f} | {c / r['floor']['floor']:.2f} | "
                     f"{r['nothing changed']['wall']:.2f} | {r['nothing changed']['wall'] / c:.3f} | "
                     f"{r['one dataset']['wall']:.2f} | {r['one dataset']['wall'] / c:.3f} | "
                     f"{r[PROSE]['wall']:.2f} | "
                     f"{r[PROSE]['wall'] / c:.3f} |")
    last = runs[-1]
    f = last["floor"]
    lines += ["", f"Floor (last run) = {f['floor']:.2f} s: draw and save {f['figure_count']} registered figures as SVG "
              f"{f['figures']:.2f} s + one pandoc run (HTML) {f['pandoc_html']:.2f} s + one Typst compile "
              f"{f['typst_compile']:.2f} s. Not counted: imports {f['imports']:.2f} s, the second pandoc run "
              f"(Typst writer) {f['pandoc_typst']:.2f} s."
              + (f" Floor as shown = {f['floor_as_shown']:.2f} s: the same with each chart made as the book shows it "
                 f"(the page-size SVG the PDF and the web page share, the phone drawing) "
                 f"{f['figures_as_shown']:.2f} s." if "floor_as_shown" in f else "")
              + (f" The least a cold build could take on {kernels} cores = {least[-1]:.2f} s: the charts as shown, "
                 f"the data validated ({f['validation']:.2f} s) and one kernel booted ({f['kernel_boot']:.2f} s) "
                 f"shared between the cores, then the Typst writer and the compile one after the other with the "
                 f"HTML beside them; nothing else a build does is counted." if least[-1] else ""), ""]
    d = last["one dataset"]
    lines += [f"One dataset (last run): executed {', '.join(d['chapters_executed'])}; drew "
              f"{', '.join(d.get('figures_drawn') or []) or 'no chart'}, reused "
              f"{len(d.get('figures_cached') or [])} from the figure cache.", ""]
    lines += ["Peak memory of each build and all its processes (a pass of its own, sampled every 50 ms): "
              + ", ".join(f"{name} {mb:.0f} MB" for name, mb in peaks.items()) + ".", ""]
    lines += ["## Where the time goes (last run)", ""]
    for name in ("cold", "nothing changed", "one dataset", PROSE):
        r = last[name]
        lines += [f"**{name}** ({r['wall']:.2f} s wall, imports {r['imports']:.2f} s, peak {peaks[name]:.0f} MB)", "",
                  "| phase | s |", "|---|---:|"]
        for phase, s in sorted(r["phases"].items(), key=lambda kv: -kv[1])[:8]:
            lines.append(f"| {phase} | {s:.2f} |")
        lines.append("")
    if preview and "skipped" not in preview:
        lines += ["## Preview, save to visible", "",
                  "Seconds after the save at which the page heard of the new build, had fetched the",
                  "changed sections, and showed them (measured in the page).", "",
                  "| edit | seconds | how the page changed |", "|---|---:|---|"]
        for kind in ("prose", "data"):
            for s, mode in preview[kind]:
                lines.append(f"| {kind} | {s:.2f} | {mode} |")
        lines.append("")
    if quarto and "skipped" not in quarto:
        lines += ["## Against real Quarto", "",
                  f"Quarto {quarto['version']} ({quarto['origin']}), `quarto render --to html` on a fresh scratch copy: "
                  f"{quarto['seconds']:.1f} s, peak {quarto['peak_mb']:.0f} MB, exit code {quarto['returncode']}"
                  + (f" ({quarto['failure']})" if "failure" in quarto else "") + ". Embedded engine, cold, HTML + PDF, "
                  f"same run: {rng(cold)} s, peak {peaks['cold']:.0f} MB.", ""]
    if scale_rows:
        lines += ["## Scale", "", "| book | chapters | charts | data MB | cold s | × 1× | peak MB | PDF pages |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        base = next((s for s in scale_rows if s["k"] == 1), scale_rows[0])
        for s in scale_rows:
            lines.append(f"| {s['k']}× | {s['chapters']} | {s['charts']} | {s['data_bytes'] / 1e6:.1f} | {s['wall']:.2f} | "
                         f"{s['wall'] / base['wall']:.2f} | {s['peak_mb']:.0f} | {s.get('pages') or '–'} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs of the build scenarios (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch copies and print where they are")
    ap.add_argument("--no-quarto", action="store_true", help="skip the comparison with real Quarto")
    ap.add_argument("--no-preview", action="store_true", help="skip the preview measurements")
    ap.add_argument("--no-scale", action="store_true", help="skip the generated 1x/2x/5x books")
    ap.add_argument("--quarto-timeout", type=float, default=1200, help="seconds Quarto may take (default 1200)")
    args = ap.parse_args()

    def say(text: str) -> None:
        print(text, end="", flush=True)

    sys.path.insert(0, str(REPO / "src"))
    from report.engine.build import default_kernels

    scratch = Path(tempfile.mkdtemp(prefix="report-bench-"))
    say(f"scratch: {scratch}\n")
    try:
        say("== builds (HTML + PDF)\n")
        runs = build_runs(scratch, args.runs, say)
        peaks = memory_pass(scratch / "project", say)
        quarto = preview = scale_rows = None
        if not args.no_quarto:
            say("== real Quarto\n")
            quarto = quarto_compare(scratch, args.quarto_timeout, say)
            if "skipped" in quarto:
                say(f"skipped: {quarto['skipped']}\n")
        if not args.no_preview:
            import preview_bench

            say("== preview (headless Chromium)\n")
            why = preview_bench.available()
            if why:
                preview = {"skipped": why}
                say(f"skipped: {why}\n")
            else:
                project = scratch / "project"
                preview = preview_bench.measure(project, bench_env(project), log=scratch / "preview.log")
                say("prose " + ", ".join(f"{s:.2f}" for s, _ in preview["prose"]) + " s; data "
                    + ", ".join(f"{s:.2f}" for s, _ in preview["data"]) + " s\n")
        if not args.no_scale:
            say("== scale (generated books, cold, HTML + PDF)\n")
            scale_rows = scale_series(scratch, [1, 2, 5], say)
        report = render(runs, peaks, quarto, preview, scale_rows, default_kernels())
        RESULTS.write_text(report, encoding="utf-8")
        print()
        print(report)
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
