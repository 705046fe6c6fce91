"""`report new DIR`: start a publication that builds at once to HTML and PDF.

The starter (report/starter/) is a whole small book: `_quarto.yml` for both engines, one chapter
with a chart drawn from a dataset through the figure registry, an inline number, a claim, a
callout and a citation, the house templates, a README with the two commands and a test. Files
named `*.j2` are filled in with the title, author and slug; `shared/` holds what every
publication installs the same way (the report extension, the Typst partials, the citation
style), as `quarto add` would. The font is DejaVu Sans, copied from matplotlib's own data, so no
font needs shipping with the tool.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from importlib import resources
from pathlib import Path

import jinja2

STARTER = "starter"
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")


class NewProjectError(ValueError):
    pass


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "book"


def install_spec() -> str:
    """How the new project's README installs this tool: its checkout when it was installed from
    one (editable or a local directory), else its distribution name."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("breaking-the-cycle-report")
    except PackageNotFoundError:
        return "'report-tool[dev]'"
    direct = dist.read_text("direct_url.json")
    if direct:
        url = json.loads(direct).get("url", "")
        if url.startswith("file://"):
            return f"-e '{url[len('file://'):]}[dev]'"
    return f"'{dist.metadata['Name']}[dev]'"


def shared_files() -> dict[str, Path]:
    """What a publication installs as is: relative path -> the tool's copy."""
    base = Path(str(resources.files("report").joinpath(STARTER, "shared")))
    return {str(p.relative_to(base)): p for p in sorted(base.rglob("*")) if p.is_file()}


def create(target: Path, title: str | None = None, author: str = "Author", accent: str = "12436D",
           highlight: str = "28A197") -> list[Path]:
    """Write a new project into `target` (which must not exist or be empty); return its files."""
    import matplotlib

    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise NewProjectError(f"{target}: already exists and is not empty; choose a new directory")
    for name, value in (("accent", accent), ("highlight", highlight)):
        if not re.fullmatch(r"[0-9A-Fa-f]{6}", value):
            raise NewProjectError(f"--{name} {value!r}: expected six hex digits, such as 12436D")
    title = title or target.resolve().name.replace("-", " ").replace("_", " ").capitalize()
    context = {"title": title, "author": author, "slug": slugify(title), "accent": accent.upper(),
               "highlight": highlight.upper(), "date": dt.date.today().strftime("%Y-%m"),
               "install": install_spec()}
    project = Path(str(resources.files("report").joinpath(STARTER, "project")))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    for src in sorted(project.rglob("*")):
        if not src.is_file() or "__pycache__" in src.parts:
            continue
        rel = src.relative_to(project)
        dest = target / (str(rel)[: -len(".j2")] if rel.suffix == ".j2" else rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if rel.suffix == ".j2":
            dest.write_text(env.from_string(src.read_text(encoding="utf-8")).render(**context), encoding="utf-8")
        else:
            shutil.copyfile(src, dest)
        written.append(dest)
    for rel, src in shared_files().items():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written.append(dest)
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    (target / "fonts").mkdir(exist_ok=True)
    for name in FONTS:
        shutil.copyfile(fonts / name, target / "fonts" / name)
        written.append(target / "fonts" / name)
    (target / "fonts" / "LICENSE.txt").write_text(
        "DejaVu fonts, copied from matplotlib's data: free licence, see https://dejavu-fonts.github.io/License.html\n",
        encoding="utf-8")
    return written
