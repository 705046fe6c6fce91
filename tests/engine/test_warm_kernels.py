"""Kernels kept warm between builds (KernelPool, as `report preview` uses it): a rebuild runs in the
same kernel process with a fresh namespace per chapter, and a kernel is replaced when a chapter
failed in it, left it changed, died, or runs older project code than is on disk."""
from __future__ import annotations

import itertools
import os
import re
import signal
from pathlib import Path

import pytest

from report.engine.build import build
from report.engine.errors import BuildError
from report.engine.execute import KernelPool

from .conftest import RecordingReporter

CONFIG = """\
project:
  type: book
book:
  title: "Warm"
  chapters:
    - index.qmd
    - chapters/a.qmd
    - chapters/b.qmd
execute:
  echo: false
format:
  html: {toc: false}
"""

A = """# A

```{python}
import os
import lib
print("A pid", os.getpid(), lib.helper())
leaked_from_a = 1
```
"""

B = """# B

```{python}
import os
import sys
import lib
print("B pid", os.getpid(), lib.helper(), "leak" if "leaked_from_a" in dir() else "clean",
      "nowhere" if "/nowhere" in sys.path else "path-ok")
```
"""


@pytest.fixture
def book(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORT_KERNELS", "1")  # one kernel, so which one ran a chapter is known
    root = tmp_path / "warm"
    (root / "chapters").mkdir(parents=True)
    (root / "_quarto.yml").write_text(CONFIG)
    (root / "index.qmd").write_text("# Welcome {.unnumbered}\n\nHello.\n")
    (root / "lib.py").write_text("def helper():\n    return 'real'\n")
    (root / "chapters" / "a.qmd").write_text(A)
    (root / "chapters" / "b.qmd").write_text(B)
    pool = KernelPool(1)
    try:
        yield root, pool
    finally:
        pool.close()


def run(root: Path, pool: KernelPool) -> tuple[dict[str, list[str]], RecordingReporter]:
    rep = RecordingReporter()
    build(root, "html", rep, pool=pool)
    html = (root / "_book" / "index.html").read_text(encoding="utf-8")
    lines = {m.group(1): m.group(2).split() for m in re.finditer(r"\b([AB]) pid (\d+[^<\n]*)", html)}
    return lines, rep


_edits = itertools.count()


def touch(path: Path) -> None:
    """An edit to the chapter's code, so the chapter runs again (an edit to its prose alone
    would be replayed without a kernel, see test_replay.py)."""
    path.write_text(path.read_text() + f"\n```{{python}}\n# edit {next(_edits)}\n```\n")


def test_a_rebuild_reuses_the_kernel_with_a_fresh_namespace_per_chapter(book):
    root, pool = book
    out, _ = run(root, pool)
    assert out["A"][0] == out["B"][0]  # one kernel ran both
    assert out["B"][1:] == ["real", "clean", "path-ok"]
    first_pid = out["A"][0]
    touch(root / "chapters" / "a.qmd")
    touch(root / "chapters" / "b.qmd")
    out, rep = run(root, pool)
    assert out["A"][0] == out["B"][0] == first_pid  # the same process, kept warm
    assert out["B"][1:] == ["real", "clean", "path-ok"]
    assert ("", "starting Jupyter kernel") not in rep.steps
    assert pool.started == 1


@pytest.mark.parametrize("poison, reason", [
    ("lib.helper = lambda: 'patched'", "lib.helper was rebound"),
    ("import sys; sys.path.append('/nowhere')", "sys.path was changed"),
    ("os.environ['REPORT_SOMETHING'] = '1'", "REPORT_SOMETHING"),
])
def test_a_chapter_that_changes_the_kernel_gets_the_next_chapter_a_new_one(book, poison, reason):
    root, pool = book
    (root / "chapters" / "a.qmd").write_text(A.replace("leaked_from_a = 1", f"leaked_from_a = 1\n{poison}"))
    out, rep = run(root, pool)
    assert out["A"][0] != out["B"][0]
    # B ran in a clean kernel: nothing A did is visible there.
    assert out["B"][1:] == ["real", "clean", "path-ok"]
    assert any("new kernel" in step and reason in step for _, step in rep.steps), rep.steps
    # The poisoned kernel is gone; the clean one waits for the next build.
    touch(root / "chapters" / "b.qmd")
    again, _ = run(root, pool)
    assert again["B"][0] == out["B"][0]


def test_a_failed_chapter_leaves_no_kernel_behind_it(book):
    root, pool = book
    (root / "chapters" / "a.qmd").write_text(A + "\n```{python}\nopen('failed-pid', 'w').write(str(os.getpid()))\n"
                                             "raise RuntimeError('broken on purpose')\n```\n")
    with pytest.raises(BuildError, match="broken on purpose"):
        run(root, pool)
    failed_pid = (root / "failed-pid").read_text()
    (root / "chapters" / "a.qmd").write_text(A)
    out, _ = run(root, pool)
    assert out["A"][0] != failed_pid
    assert out["B"][1:] == ["real", "clean", "path-ok"]


def test_a_kernel_that_died_between_builds_is_replaced(book):
    root, pool = book
    out, _ = run(root, pool)
    os.kill(int(out["A"][0]), signal.SIGKILL)
    touch(root / "chapters" / "a.qmd")
    again, _ = run(root, pool)
    assert again["A"][0] != out["A"][0]
    assert again["A"][1] == "real"


def test_a_kernel_started_on_older_project_code_is_replaced(book):
    root, pool = book
    (root / "src").mkdir()
    (root / "src" / "helpers.py").write_text("X = 1\n")
    out, _ = run(root, pool)
    (root / "src" / "helpers.py").write_text("X = 2\n")
    touch(root / "chapters" / "a.qmd")
    again, _ = run(root, pool)
    assert again["A"][0] != out["A"][0]


def test_a_virtual_environment_inside_the_project_is_not_project_code(tmp_path, monkeypatch):
    """Installed packages (a `.venv/` in the project) are neither checked for changes between
    chapters nor have their caches emptied: only the project's own modules are."""
    import importlib.util
    import site
    import sys

    from report.engine import kernel_support as ks

    site_dir = tmp_path / ".venv" / "lib" / "site-packages"
    site_dir.mkdir(parents=True)
    (site_dir / "installed_pkg_x.py").write_text("def f():\n    return 1\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "project_mod_x.py").write_text("def g():\n    return 2\n")
    for name, path in (("installed_pkg_x", site_dir / "installed_pkg_x.py"),
                       ("project_mod_x", tmp_path / "src" / "project_mod_x.py")):
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(ks, "_root", tmp_path)
    monkeypatch.setattr(ks, "_module_is_project", {})
    monkeypatch.setattr(site, "getsitepackages", lambda: [str(site_dir)])
    found = ks._project_modules()
    assert "project_mod_x" in found and "installed_pkg_x" not in found
