"""`report preview`: serve the HTML book, rebuild on save, reload the browser."""
from __future__ import annotations

import asyncio
from pathlib import Path

import click


def _find_root(project: str | None) -> Path:
    from report.paths import ProjectNotFound, resolve_project

    try:
        return resolve_project(project)
    except ProjectNotFound as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=4848, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-open", "no_open", is_flag=True, help="Do not open a browser window.")
@click.option("--project", type=click.Path(file_okay=False, exists=True), default=None,
              help="Project directory (default: the one holding _quarto.yml above the current directory).")
def preview(port: int, host: str, no_open: bool, project: str | None) -> None:
    """Serve _book/index.html, rebuild the HTML when a source changes and reload the page.

    Watches chapters/, index.qmd, data/, src/, templates/, _quarto.yml and the bibliography.
    Only chapters whose inputs changed are executed again (the engine's cache). A failed build
    is shown in the page and here; the last good build stays served. Ctrl-C stops.
    """
    from rich.console import Console

    from .builder import Preview
    from .server import bind, serve

    root = _find_root(project)
    console = Console(highlight=False)
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    actual_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{actual_port}/"

    def ready() -> None:
        console.print(f"[bold]report preview[/bold] of {root}")
        console.print(f"serving [link={url}]{url}[/link]  (Ctrl-C stops)")
        if not no_open:
            import webbrowser

            webbrowser.open(url)

    try:
        asyncio.run(serve(Preview(root, console), sock, ready))
    except KeyboardInterrupt:
        # A second Ctrl-C during shutdown: the worker group has been signalled already.
        pass
    finally:
        sock.close()
    console.print("preview stopped")
