"""The floor a build of this book cannot beat; prints one JSON line (used by run.py).

    python benchmarks/floor.py PROJECT CALLS_JSON

floor = draw and save every registered figure as SVG + one pandoc run (the HTML writer, with the
engine's own arguments: filters, citeproc, embedded resources) + one Typst compile.

floor as shown = the same with every figure made as the book now shows it (what `figures.show`
displays, `book_drawings`, without Jupyter or the figure cache): the page-size SVG the PDF and the
web page share, its data table and alt text, and the phone drawing. The first floor was defined
when the web page showed the print SVG as an image; both are printed, the target is judged
against the first.

The pandoc and Typst runs replay the invocations a cold build recorded (timed_build.py --record)
on the intermediate files it kept (REPORT_KEEP_BUILD=1), with outputs sent to a temporary
directory. Imports are timed separately and not part of the floor: a long-lived kernel or worker could have
paid them already.

Also timed, for the least a cold build can take (run.py): the data package validated without a
cache, and one Jupyter kernel booted with the chapters' imports.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _redirect(argv: list[str], out: Path) -> list[str]:
    argv = list(argv)
    if "-o" not in argv:
        raise SystemExit(f"benchmark: recorded pandoc call has no -o: {argv}")
    argv[argv.index("-o") + 1] = str(out)
    return argv


def _writer(argv: list[str]) -> str:
    return argv[argv.index("-t") + 1] if "-t" in argv else ""


def main() -> int:
    project, calls_file = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    calls = json.loads(calls_file.read_text(encoding="utf-8"))
    html_call = next((c for c in calls if c["tool"] == "pandoc" and _writer(c["argv"]).startswith("html")), None)
    typst_writer = next((c for c in calls if c["tool"] == "pandoc" and _writer(c["argv"]) == "typst"), None)
    typst_call = next((c for c in calls if c["tool"] == "typst"), None)
    if html_call is None or typst_call is None:
        raise SystemExit(f"benchmark: the cold build recorded no HTML pandoc run or no Typst compile: {calls_file}")
    os.environ["QUARTO_PROJECT_DIR"] = str(project)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.chdir(project)
    out: dict[str, float | int] = {}

    t = time.monotonic()
    import matplotlib.pyplot as plt
    import typst

    from report import figures
    from report.figures.api import book_drawings, load_data, shared_key, spec, svg_text

    out["imports"] = time.monotonic() - t

    def pandoc(call: dict, dest: Path) -> float:
        t = time.monotonic()
        subprocess.run(_redirect(call["argv"], dest), cwd=call["cwd"] or None, input=call.get("input"),
                       capture_output=True, text=True, encoding="utf-8", check=True)
        return time.monotonic() - t

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.monotonic()
        for n in sorted(figures.REGISTRY):
            fig = figures.plot(n)
            # svg_text saves inside the house style, as the book does (fonts resolve at save time).
            (tmp / f"fig{n:02d}.svg").write_text(svg_text(fig), encoding="utf-8")
            plt.close(fig)
        out["figures"] = time.monotonic() - t
        out["figure_count"] = len(figures.REGISTRY)

        t = time.monotonic()
        for n in sorted(figures.REGISTRY):
            s = spec(n)
            svg, _, page = book_drawings(s, load_data(s), False, shared_key(s, False))
            (tmp / f"fig{n:02d}-print.svg").write_text(svg, encoding="utf-8")
            (tmp / f"fig{n:02d}-web.html").write_text(page, encoding="utf-8")
        out["figures_as_shown"] = time.monotonic() - t

        out["pandoc_html"] = pandoc(html_call, tmp / "index.html")
        # Not in the floor (it counts one pandoc run), but the engine runs this one as well.
        out["pandoc_typst"] = pandoc(typst_writer, tmp / "book.typ") if typst_writer else 0.0

        kwargs = dict(typst_call["kwargs"])
        kwargs["output"] = str(tmp / "book.pdf")
        t = time.monotonic()
        typst.compile(typst_call["input"], **kwargs)
        out["typst_compile"] = time.monotonic() - t

    # Two more things every cold build does before its Typst writer may start, timed for the
    # least-possible bound in run.py: validate the data package (no cache; the rules forbid
    # rendering from unchecked data) and boot one Jupyter kernel with the chapters' imports.
    from report.data import validate_all
    from report.engine.build import kernel_template
    from report.engine.config import load_config
    from report.engine.execute import imported_modules
    from report.engine.qmd import parse_qmd

    t = time.monotonic()
    validate_all(project)
    out["validation"] = time.monotonic() - t
    config = load_config(project)
    docs = [parse_qmd(project / rel) for rel in config.chapter_paths]
    kernel = kernel_template(config, imported_modules([d for d in docs if d.has_code()]))
    t = time.monotonic()
    kernel.__enter__()
    out["kernel_boot"] = time.monotonic() - t
    kernel.__exit__(None, None, None)

    out["floor"] = out["figures"] + out["pandoc_html"] + out["typst_compile"]
    out["floor_as_shown"] = out["figures_as_shown"] + out["pandoc_html"] + out["typst_compile"]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
