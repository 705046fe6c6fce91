"""What the browser gets: the built HTML with a small live-reload client injected."""
from __future__ import annotations

import html
import json
import re

EVENTS_PATH = "/_preview/events"
PATCH_PATH = "/_preview/patch"
OVERLAY_ID = "report-preview-overlay"
STATUS_ID = "report-preview-status"

# The page knows which build it shows (`built`); the server's `state` events say which build is
# current and whether the last one failed. Nothing happens when they agree, so a rebuild that
# produced identical HTML (say, a comment changed in src/) does not lose the reader's place.
# When they differ the client asks for the sections that changed and swaps just those in: the
# page keeps its place and its fonts, and the browser parses one chapter instead of the whole
# book (several megabytes with its images inlined). Anything else changed (contents, head,
# footer), or a patch that does not apply, and it reloads as before.
# `window.reportPreview` says how the last change arrived (the browser test reads it).
CLIENT = r"""
(function () {
  var built = __BUILT__;
  var OVERLAY = "__OVERLAY__", STATUS = "__STATUS__", KEY = "report-preview-scroll";
  var updating = false, wanted = null;
  window.reportPreview = { built: built, mode: "load", at: Date.now() };
  try {
    var y = sessionStorage.getItem(KEY);
    if (y !== null) {
      sessionStorage.removeItem(KEY);
      window.addEventListener("load", function () { window.scrollTo(0, parseFloat(y)); });
    }
  } catch (e) {}

  function status(text) {
    var el = document.getElementById(STATUS);
    if (!text) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("div");
      el.id = STATUS;
      el.setAttribute("role", "status");
      el.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483647;padding:.4rem .8rem;" +
        "border-radius:4px;background:#12436D;color:#fff;font:14px/1.4 system-ui,sans-serif;opacity:.9";
      document.body.appendChild(el);
    }
    el.textContent = text;
  }

  function overlay(message) {
    var el = document.getElementById(OVERLAY);
    if (!message) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("div");
      el.id = OVERLAY;
      el.setAttribute("role", "alert");
      el.style.cssText = "position:fixed;inset:0;z-index:2147483646;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,20,.94);color:#f5f5f5;font:14px/1.5 ui-monospace,monospace";
      document.body.appendChild(el);
    }
    var lines = message.split("\n");
    el.innerHTML = "";
    var h = document.createElement("h2");
    h.style.cssText = "margin:0 0 .5rem;color:#ff8a80;font:600 18px/1.3 system-ui,sans-serif";
    h.textContent = "Build failed: " + lines[0];
    var note = document.createElement("p");
    note.style.cssText = "margin:0 0 1rem;color:#bbb;font:14px/1.4 system-ui,sans-serif";
    note.textContent = "The page below is the last good build. Fix the source and save: this closes by itself.";
    var pre = document.createElement("pre");
    pre.style.cssText = "white-space:pre-wrap;margin:0";
    pre.textContent = lines.slice(1).join("\n").replace(/^\n+/, "");
    el.appendChild(h); el.appendChild(note); el.appendChild(pre);
  }

  function reload(source) {
    try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) {}
    if (source) source.close();
    window.location.reload();
  }

  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  function apply(patch) {
    // Find every target first, so a patch that does not fit changes nothing before the reload.
    var ids = Object.keys(patch.sections);
    var targets = ids.map(function (id) { return document.getElementById(id); });
    var outer = (patch.elements || []).map(function (e) {
      return document.getElementsByTagName(e.tag)[e.index];
    });
    if (targets.concat(outer).some(function (el) { return !el; })) return false;
    ids.forEach(function (id, i) { targets[i].replaceWith(fragment(patch.sections[id])); });
    (patch.elements || []).forEach(function (e, i) { outer[i].replaceWith(fragment(e.html)); });
    return true;
  }

  function update(source, target, heardAt) {
    if (updating) { wanted = target; return; }
    if (!built) { reload(source); return; }
    updating = true;
    var fetchedAt = null;
    fetch("__PATCH__?from=" + encodeURIComponent(built), { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (patch) {
        fetchedAt = Date.now();
        if (!patch || !apply(patch)) { reload(source); return; }
        built = patch.to;
        window.reportPreview = { built: built, mode: "patch", at: Date.now(), heardAt: heardAt,
                                 fetchedAt: fetchedAt, sections: Object.keys(patch.sections) };
        updating = false;
        if (wanted && wanted !== built) { var next = wanted; wanted = null; update(source, next, Date.now()); }
      })
      .catch(function () { reload(source); });
  }

  function connect() {
    var source = new EventSource("__EVENTS__");
    source.addEventListener("state", function (ev) {
      var s = JSON.parse(ev.data);
      if (s.built && s.built !== built) update(source, s.built, Date.now());
      overlay(s.error);
      status(s.building ? "Rebuilding\u2026" : "");
    });
    source.onerror = function () {
      // The server went away (stopped or restarting): EventSource retries by itself.
      status("Preview server unreachable; retrying\u2026");
    };
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", connect);
  else connect();
})();
"""


def client_script(built: str | None) -> str:
    js = (CLIENT.replace("__BUILT__", json.dumps(built))
          .replace("__OVERLAY__", OVERLAY_ID)
          .replace("__STATUS__", STATUS_ID)
          .replace("__EVENTS__", EVENTS_PATH)
          .replace("__PATCH__", PATCH_PATH))
    # Inside a <script> element only "</" can end it early; the values above are ours, but be safe.
    return '<script data-report-preview="1">' + js.replace("</", "<\\/") + "</script>"


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject(page: bytes, built: str | None) -> bytes:
    """The page with the client just before its last </body> (or at the end when it has none)."""
    script = client_script(built).encode("utf-8")
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + script
    at = ends[-1].start()
    return page[:at] + script + page[at:]


def placeholder(root: str) -> bytes:
    """Served until the first good build exists; the client reloads into the book when it does."""
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Building the book\u2026</title></head>"
        "<body style=\"font:16px/1.5 system-ui,sans-serif;margin:3rem\">"
        f"<h1>Building the book\u2026</h1><p>{html.escape(root)}</p>"
        "<p>This page reloads by itself when the first build is done.</p></body></html>"
    ).encode("utf-8")
