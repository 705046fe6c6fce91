"""Build-time benchmarks of the real book, HTML + PDF, in a scratch copy of the project.

    python benchmarks/run.py [--keep] [--no-profile]

Scenarios, in order, each a fresh `report build` process on the same scratch copy:
  cold            empty cache, no _book/
  nothing changed the same build again
  one dataset     one value in data/fig16_childcare.csv (read only by Chapter 3) changed
  one chapter     a sentence added to chapters/05-social-capital.qmd

Each is compared with a measured floor (benchmarks/floor.py). The table goes to stdout and to
benchmarks/results.md; when a target is missed, the build is run again under cProfile and the
top of the profile goes to benchmarks/profiles/. The user's _book/ and cache are never touched.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
PROFILES = HERE / "profiles"
EPOCH = "1704067200"  # fixed, so the scratch copy needs no git history

DATASET = "data/fig16_childcare.csv"
# Non-deprived, good or outstanding providers: a value the report does not state, so the data
# validation and the chapter's claims (doubly disadvantaged areas have the fewest places) hold.
DATASET_EDITS = [("Non-deprived,Good or outstanding providers,23", "Non-deprived,Good or outstanding providers,22"),
                 ("Non-deprived,Good or outstanding providers,22", "Non-deprived,Good or outstanding providers,23")]
CHAPTER = "chapters/05-social-capital.qmd"
CHAPTER_EDIT = "\n\nThis sentence was added by the build benchmark.\n"

TARGETS = {  # scenario -> (limit, what it is compared with)
    "cold": (2.0, "floor"),
    "nothing changed": (1.0, "seconds"),
    "one dataset": (5.0, "seconds"),
}


def scratch_copy(dest: Path) -> Path:
    """The repository's tracked files as they are in the working tree; nothing built or cached."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for rel in files.decode().split("\0"):
        if not rel:
            continue
        src = REPO / rel
        if not src.is_file():  # deleted in the working tree, or a submodule
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    for built in ("_book", ".report-cache"):
        shutil.rmtree(dest / built, ignore_errors=True)
    return dest


def bench_env(project: Path) -> dict[str, str]:
    # The scratch copy's own src/ comes first, for the engine and for the kernel it starts: the
    # whole run measures one snapshot of the code even if the working tree changes meanwhile.
    path = os.pathsep.join(p for p in (str(project / "src"), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": path}


def timed_build(project: Path, keep: bool = False, profile: Path | None = None, record: Path | None = None) -> dict:
    env = bench_env(project)
    env.pop("REPORT_KEEP_BUILD", None)
    if keep:
        env["REPORT_KEEP_BUILD"] = "1"
    cmd = [sys.executable, str(HERE / "timed_build.py"), str(project), "--to", "all"]
    if profile:
        cmd += ["--profile", str(profile)]
    if record:
        cmd += ["--record", str(record)]
    t = time.monotonic()
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t
    result, kept = None, None
    for line in proc.stdout.splitlines():
        if line.startswith("kept build directory "):
            kept = Path(line.removeprefix("kept build directory ").strip())
        elif line.startswith("{"):
            result = json.loads(line)
    if proc.returncode != 0 or result is None or not result.get("ok"):
        detail = (result or {}).get("error") or proc.stderr[-4000:] or proc.stdout[-4000:]
        raise SystemExit(f"benchmark build failed in {project}:\n{detail}")
    result["wall"] = wall
    result["kept"] = str(kept) if kept else None
    return result


def edit(project: Path, rel: str, old: str | None, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    if old is None:
        text += new
    else:
        if old not in text:
            raise SystemExit(f"benchmark: {rel} no longer contains {old!r}; update DATASET_EDITS")
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def profile_summary(stats_file: Path, out: Path, title: str) -> None:
    import io

    buf = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=buf)
    stats.sort_stats("cumulative").print_stats(30)
    buf.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(15)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# cProfile of the engine process: {title}\n\n{buf.getvalue()}", encoding="utf-8")


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


def verdict(name: str, r: dict, floor: float) -> str:
    if name not in TARGETS:
        return "–"
    limit, kind = TARGETS[name]
    if kind == "floor":
        ok = r["wall"] <= limit * floor
        return f"≤ {limit:g}× floor: {'met' if ok else 'MISSED'}"
    ok = r["wall"] <= limit
    return f"≤ {limit:g} s: {'met' if ok else 'MISSED'}"


def render(rows: list[tuple[str, dict]], floor: dict) -> str:
    f = floor["floor"]
    lines = [
        "# Build benchmarks",
        "",
        f"`python benchmarks/run.py` on {machine()}; the real book, HTML + PDF, in a scratch copy.",
        "Wall = the whole `report build`-equivalent process (interpreter start and imports included);",
        "engine = inside `build()`.",
        "",
        "| scenario | wall s | engine s | × floor | chapters executed | cells | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in rows:
        lines.append(f"| {name} | {r['wall']:.2f} | {r['engine']:.2f} | {r['wall'] / f:.2f} | "
                     f"{len(r['chapters_executed'])} | {r['cells_executed']} | {verdict(name, r, f)} |")
    lines += [
        "",
        f"Floor = {f:.2f} s: draw and save {floor['figure_count']} registered figures as SVG "
        f"{floor['figures']:.2f} s + one pandoc run (HTML) {floor['pandoc_html']:.2f} s + one Typst compile "
        f"{floor['typst_compile']:.2f} s. Not counted: imports {floor['imports']:.2f} s, "
        f"the second pandoc run (Typst writer) {floor['pandoc_typst']:.2f} s.",
        "",
        "## Where the time goes",
        "",
    ]
    for name, r in rows:
        lines.append(f"**{name}** (imports {r['imports']:.2f} s; executed: "
                     f"{', '.join(r['chapters_executed']) or 'none'})")
        lines.append("")
        top = sorted(r["phases"].items(), key=lambda kv: -kv[1])[:8]
        lines.append("| phase | s |")
        lines.append("|---|---:|")
        for phase, s in top:
            lines.append(f"| {phase} | {s:.2f} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", action="store_true", help="keep the scratch copy and print where it is")
    ap.add_argument("--no-profile", action="store_true", help="do not profile missed targets")
    args = ap.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="report-bench-"))
    project = scratch_copy(scratch / "project")
    print(f"scratch copy: {project}", flush=True)
    rows: list[tuple[str, dict]] = []
    try:
        def run(name: str, **kw) -> dict:
            print(f"{name} …", end=" ", flush=True)
            r = timed_build(project, **kw)
            print(f"{r['wall']:.2f} s (executed {len(r['chapters_executed'])} chapters)", flush=True)
            rows.append((name, r))
            return r

        calls = scratch / "tool-calls.json"
        cold = run("cold", keep=True, record=calls)
        run("nothing changed")
        edit(project, DATASET, *DATASET_EDITS[0])
        dataset = run("one dataset")
        if dataset["chapters_executed"] != ["chapters/03-bad-jobs-trap.qmd"]:
            print(f"note: changing {DATASET} executed {dataset['chapters_executed']}", flush=True)
        edit(project, CHAPTER, None, CHAPTER_EDIT)
        run("one chapter's prose")

        print("floor …", end=" ", flush=True)
        if not cold["kept"] or not calls.is_file():
            raise SystemExit("benchmark: the cold build kept no intermediate files or recorded no tool calls")
        proc = subprocess.run([sys.executable, str(HERE / "floor.py"), str(project), str(calls)],
                              capture_output=True, text=True, env=bench_env(project))
        if proc.returncode != 0:
            raise SystemExit(f"benchmark: floor measurement failed:\n{proc.stderr[-4000:]}")
        floor = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{floor['floor']:.2f} s", flush=True)

        report = render(rows, floor)
        RESULTS.write_text(report, encoding="utf-8")
        print()
        print(report)

        if not args.no_profile:
            missed = [name for name, r in rows if "MISSED" in verdict(name, r, floor["floor"])]
            for name in missed:
                if name == "cold":
                    continue  # the phase table already splits it; profiling it would cost a second cold build
                if name == "one dataset":
                    edit(project, DATASET, *DATASET_EDITS[1])
                stats = scratch / f"{name}.prof"
                timed_build(project, profile=stats)
                out = PROFILES / f"{name.replace(' ', '-').replace(chr(39), '')}.txt"
                profile_summary(stats, out, name)
                print(f"profile of '{name}' written to {out.relative_to(REPO)}")
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
