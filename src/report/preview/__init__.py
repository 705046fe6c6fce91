"""`report preview`: serve the HTML book, rebuild on change, reload the open browser page.

The server process never imports the engine: every build runs in a worker subprocess
(`report.preview.worker`) so that edits to `src/` take effect on the next build and a crash in
a build cannot take the server down.
"""
