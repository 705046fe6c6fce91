"""`report preview`: serve the HTML book, rebuild on save, reload the browser."""
from __future__ import annotations

import asyncio
from pathlib import Path

import click

from report.console import common_options, guarded


def _find_root(project: str | None) -> Path:
    from report.console import find_project

    return find_project(project)


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=4848, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-open", "no_open", is_flag=True, help="Do not open a browser window.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Another Host name the page may be asked for (repeatable), e.g. this machine's name "
                   "when serving with --host 0.0.0.0.")
@common_options
@guarded
def preview(port: int, host: str, no_open: bool, allow_hosts: tuple[str, ...], project: str | None,
            quiet: bool, verbose: bool) -> None:
    """Serve _book/index.html, rebuild the HTML when a source changes and update the page.

    Watches chapters/, index.qmd, data/, src/, lib/, templates/, _quarto.yml and the files it names.
    Only chapters whose inputs changed are executed again (the engine's cache), in kernels kept
    warm, and only the changed chapters of the open page are replaced. A failed build
    is shown in the page and here; the last good build stays served. Ctrl-C stops.
    """
    from report.console import Output

    from .builder import Preview
    from .server import allowed_hosts as hosts_for, bind, serve

    root = _find_root(project)
    output = Output(quiet, verbose)
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    actual_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{actual_port}/"
    trusted = hosts_for(host, allow_hosts)
    if host in ("0.0.0.0", "::", ""):
        # Not quiet-able: the author must know the book and its error messages are on the network.
        output.err.print(output_warning(
            f"--host {host} listens on every network interface: anyone who can reach this machine "
            f"can read the book and its build errors. Names accepted in the Host header: {', '.join(trusted)}"
            " (add more with --allow-host)."))

    def ready() -> None:
        output.info(str(root), label="report preview of", style="bold")
        output.info(f"{url}  (Ctrl-C stops)", label="serving")
        if not no_open:
            import webbrowser

            webbrowser.open(url)

    try:
        asyncio.run(serve(Preview(root, output), sock, ready, trusted))
    except KeyboardInterrupt:
        # A second Ctrl-C during shutdown: the worker group has been signalled already.
        pass
    finally:
        sock.close()
    output.info("preview stopped")


def output_warning(text: str):
    from report.console import styled

    return styled("warning:", "yellow", text)
