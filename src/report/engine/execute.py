"""Run a chapter's code in a Jupyter kernel and turn it into plain markdown plus figure files.

The result (`ChapterResult`) is a plain, serialisable value: the renderers only ever see
markdown, so each chapter executes once per build and feeds both HTML and Typst, and the cache
can store it as JSON.
"""
from __future__ import annotations

import base64
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import BuildError
from .qmd import Cell, Markdown, Qmd, inline_exprs

FIG_PREFIX = "_report_fig"  # image paths in executed markdown start here; resolved by the renderers
INLINE_MIME = "application/x-report-inline+json"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
IMAGE_MIMES = [("image/svg+xml", "svg"), ("image/png", "png"), ("image/jpeg", "jpg")]


@dataclass
class ChapterResult:
    path: str  # project-relative .qmd
    markdown: str
    files: dict[str, bytes] = field(default_factory=dict)  # path under FIG_PREFIX -> bytes
    cells_executed: int = 0
    opened: list[str] = field(default_factory=list)  # project files the chapter's code read

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "markdown": self.markdown,
            "files": {k: base64.b64encode(v).decode("ascii") for k, v in sorted(self.files.items())},
            "cells_executed": self.cells_executed,
            "opened": self.opened,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ChapterResult":
        return cls(
            path=data["path"],
            markdown=data["markdown"],
            files={k: base64.b64decode(v) for k, v in data["files"].items()},
            cells_executed=data.get("cells_executed", 0),
            opened=list(data.get("opened", [])),
        )


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def _escape_text(text: str) -> str:
    # Inline values are text, not markdown: escape every ASCII punctuation character pandoc
    # might read as syntax, and keep them on one line.
    text = " ".join(text.splitlines())
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~^$@&\"'=:;,%/?])", r"\\\1", text)


def _attr(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


class Kernel:
    """One Jupyter kernel for the whole build; each chapter starts from an empty namespace."""

    def __init__(self, root: Path, ignore: list[str], timeout: int = 600):
        self.root = Path(root)
        self.ignore = ignore
        self.timeout = timeout
        self._client = None
        self._cm = None

    def __enter__(self) -> "Kernel":
        import nbformat
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook()
        self._client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=self.timeout,
            allow_errors=True,
            resources={"metadata": {"path": str(self.root)}},
        )
        env = dict(os.environ)
        env.update({
            "QUARTO_PROJECT_DIR": str(self.root),
            "PYTHONHASHSEED": "0",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        })
        # The kernel's own stderr is log noise (transport warnings); errors in chapter code
        # arrive as messages and are reported with the cell.
        self._cm = self._client.setup_kernel(env=env, stderr=subprocess.DEVNULL)
        self._cm.__enter__()
        setup = (
            "import report.engine.kernel_support as _rk\n"
            f"_rk.setup({str(self.root)!r}, {self.ignore!r})\n"
            "del _rk\n"
        )
        outputs = self.run(setup)
        err = _first_error(outputs)
        if err:
            raise BuildError("could not prepare the Jupyter kernel:\n" + err)
        return self

    def __exit__(self, *exc) -> None:
        if self._cm is not None:
            self._cm.__exit__(None, None, None)
            self._cm = None

    def run(self, code: str) -> list[dict]:
        import nbformat

        cell = nbformat.v4.new_code_cell(code)
        self._client.nb.cells.append(cell)
        self._client.execute_cell(cell, len(self._client.nb.cells) - 1)
        return list(cell.outputs)


def _first_error(outputs: list[dict]) -> str | None:
    for out in outputs:
        if out.get("output_type") == "error":
            tb = "\n".join(out.get("traceback") or []) or f"{out.get('ename')}: {out.get('evalue')}"
            return strip_ansi(tb)
    return None


def _opt(cell: Cell, defaults: dict, key: str, fallback: Any) -> Any:
    if key in cell.options:
        return cell.options[key]
    return defaults.get(key, fallback)


class ChapterExecutor:
    def __init__(self, kernel: Kernel | None, root: Path, defaults: dict[str, Any]):
        self.kernel = kernel
        self.root = Path(root)
        self.defaults = defaults

    def execute(self, rel: str, doc: Qmd, progress: Callable[[str], None] | None = None) -> ChapterResult:
        result = ChapterResult(path=rel, markdown="")
        slug = re.sub(r"[^A-Za-z0-9]+", "-", rel.removesuffix(".qmd")).strip("-")
        defaults = {**self.defaults, **(doc.front_matter.get("execute") or {})}
        needs_kernel = doc.has_code()
        if needs_kernel:
            if self.kernel is None:
                raise BuildError(f"{rel}: has code but no kernel was started")  # engine bug, not user error
            self._run_checked(rel, 0, "%reset -f\n_report_kernel_.begin_chapter()\n", "(chapter setup)")
        parts: list[str] = []
        for chunk in doc.chunks:
            if isinstance(chunk, Markdown):
                parts.append(self._markdown(rel, chunk))
            else:
                parts.append(self._cell(rel, slug, chunk, defaults, result))
                if progress:
                    progress(f"cell at line {chunk.line}")
        if needs_kernel:
            outputs = self.kernel.run("_report_kernel_.end_chapter()\n")
            for out in outputs:
                payload = (out.get("data") or {}).get(INLINE_MIME)
                if payload and payload.get("kind") == "opened":
                    result.opened = list(payload["value"])
        result.markdown = "".join(parts)
        return result

    def _run_checked(self, rel: str, line: int, code: str, shown: str) -> list[dict]:
        outputs = self.kernel.run(code)
        err = _first_error(outputs)
        if err:
            raise BuildError(f"{rel}:{line}: error while executing\n\n{shown}\n\n{err}")
        return outputs

    def _markdown(self, rel: str, chunk: Markdown) -> str:
        found = inline_exprs(chunk)
        if not found:
            return chunk.text
        out, pos = [], 0
        for m, line in found:
            expr = m.group("expr").strip()
            outputs = self._run_checked(
                rel, line, f"_report_kernel_.inline((\n{expr}\n))\n", f"inline expression `{{python}} {expr}`"
            )
            payload = next(((o.get("data") or {}).get(INLINE_MIME) for o in outputs
                            if (o.get("data") or {}).get(INLINE_MIME)), None)
            if payload is None:
                raise BuildError(f"{rel}:{line}: inline expression `{expr}` produced no value")
            value = payload["value"] if payload["kind"] == "markdown" else _escape_text(payload["value"])
            out.append(chunk.text[pos : m.start()])
            out.append(value)
            pos = m.end()
        out.append(chunk.text[pos:])
        return "".join(out)

    def _cell(self, rel: str, slug: str, cell: Cell, defaults: dict, result: ChapterResult) -> str:
        if cell.options.get("eval") is False:
            return self._echo(cell, defaults)
        include = _opt(cell, defaults, "include", True)
        output = _opt(cell, defaults, "output", True)
        warning = _opt(cell, defaults, "warning", True)
        outputs = self.kernel.run(cell.source) if cell.source.strip() else []
        result.cells_executed += 1
        for out in outputs:
            if out.get("output_type") == "error":
                tb = strip_ansi("\n".join(out.get("traceback") or [])) or f"{out.get('ename')}: {out.get('evalue')}"
                raise BuildError(
                    f"{rel}:{cell.line}: cell failed\n\n{cell.raw.rstrip()}\n\n{tb}"
                )
        if include is False:
            return "\n"
        asis = output == "asis"
        blocks: list[str] = []
        echo = self._echo(cell, defaults)
        if echo:
            blocks.append(echo)
        if output is not False:
            blocks.extend(self._outputs(rel, slug, cell, outputs, asis, warning, result))
        return "\n" + "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n\n"

    def _echo(self, cell: Cell, defaults: dict) -> str:
        if _opt(cell, defaults, "echo", True) is not True:
            return ""
        fence = "````" if "```" in cell.source else "```"
        return f"{fence} {{.python .cell-code}}\n{cell.source.rstrip()}\n{fence}\n"

    def _outputs(self, rel, slug, cell, outputs, asis, warning, result) -> list[str]:
        label = str(cell.options.get("label") or "")
        cap = cell.options.get("fig-cap")
        alt_opt = cell.options.get("fig-alt")
        texts: list[str] = []
        images: list[tuple[str, str]] = []  # (path, alt)
        for out in outputs:
            kind = out.get("output_type")
            if kind == "stream":
                if out.get("name") == "stderr" and warning is False:
                    continue
                text = out.get("text", "")
                texts.append(text if asis else _code_block(text, "cell-output-" + out.get("name", "stdout")))
                continue
            if kind not in ("display_data", "execute_result"):
                continue
            data = out.get("data") or {}
            meta = out.get("metadata") or {}
            image = next(((mime, ext) for mime, ext in IMAGE_MIMES if mime in data), None)
            if image:
                mime, ext = image
                raw = data[mime]
                content = raw.encode("utf-8") if mime == "image/svg+xml" else base64.b64decode(raw)
                alt = alt_opt or (meta.get(mime) or {}).get("fig-alt") or meta.get("fig-alt")
                if not alt:
                    raise BuildError(
                        f"{rel}:{cell.line}: the cell draws an image without alt text: add `#| fig-alt: ...` "
                        f"to the cell (or display the figure with `fig-alt` metadata)\n\n{cell.raw.rstrip()}"
                    )
                name = f"{FIG_PREFIX}/{slug}/{label or 'cell-' + str(cell.line)}-{len(images) + 1}.{ext}"
                result.files[name] = content
                images.append((name, str(alt)))
            elif "text/markdown" in data:
                texts.append(data["text/markdown"])
            elif "text/html" in data:
                plain = data.get("text/plain", "")
                fallback = f'::: {{.content-hidden when-format="html"}}\n{_code_block(plain, "cell-output-display")}\n:::\n' if plain else ""
                texts.append(f"```{{=html}}\n{data['text/html']}\n```\n\n{fallback}")
            elif "text/plain" in data:
                texts.append(data["text/plain"] + "\n" if asis else _code_block(data["text/plain"], "cell-output-display"))
        blocks = list(texts)
        if images:
            imgs = "\n\n".join(f"![]({p}){{fig-alt={_attr(a)}}}" for p, a in images)
            if label.startswith("fig-"):
                caption = str(cap) if cap else ""
                blocks.append(f"::: {{#{label}}}\n\n{imgs}\n\n{caption}\n\n:::\n")
            elif cap:
                blocks.append(f"::: {{.report-figure}}\n\n{imgs}\n\n{cap}\n\n:::\n")
            else:
                blocks.append(imgs + "\n")
        elif label.startswith("fig-"):
            raise BuildError(f"{rel}:{cell.line}: cell labelled `{label}` produced no figure\n\n{cell.raw.rstrip()}")
        return blocks


def _code_block(text: str, cls: str) -> str:
    text = strip_ansi(text).rstrip("\n")
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {{.{cls}}}\n{text}\n{fence}\n"
