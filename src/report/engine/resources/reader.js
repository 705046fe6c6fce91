// The single page's reading aids. Without script the page still reads top to bottom with its
// contents after the cover; with it:
//   * the contents become a sticky sidebar on wide screens and a drawer on narrow ones (the
//     bar's Contents button), with the section being read marked and its chapter unfolded;
//   * search over the whole book, from the page itself (works offline);
//   * previews of figure and section references and of notes, on hover or keyboard focus;
//   * a link to each heading, previous/next chapter at the end of each chapter, back to top.
// The preview server swaps chapters in place; whatever is added here is added again to the
// chapters that arrive (a MutationObserver), and nothing here creates the header, nav, footer
// or section elements the preview addresses by position.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main) return;
  var wide = window.matchMedia("(min-width: 64rem)");
  var hoverable = window.matchMedia("(hover: hover)");

  function toc() { return document.getElementById("TOC"); }
  function text(el) { return (el.textContent || "").replace(/\s+/g, " ").trim(); }
  function chapters() { return Array.prototype.slice.call(main.querySelectorAll(":scope > section.level1")); }
  function headingOf(section) { return section.querySelector(":scope > h1, :scope > h2, :scope > h3"); }

  // --- contents: drawer ---------------------------------------------------------------------
  var scrim = null;
  function drawerOpen() { var t = toc(); return !!t && t.classList.contains("report-open"); }
  function setDrawer(open) {
    var t = toc();
    var button = document.querySelector(".report-bar-toc");
    if (!t || !button) return;
    t.classList.toggle("report-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      if (!t.querySelector(".report-toc-close")) {
        var close = document.createElement("button");
        close.type = "button";
        close.className = "report-bar-button report-toc-close";
        close.textContent = "Close";
        t.insertBefore(close, t.firstChild);
      }
      scrim = document.createElement("div");
      scrim.className = "report-scrim";
      scrim.addEventListener("click", function () { setDrawer(false); });
      document.body.appendChild(scrim);
      var current = t.querySelector("a[aria-current]") || t.querySelector("a");
      if (current) current.focus();
    } else {
      if (scrim) { scrim.remove(); scrim = null; }
    }
  }
  document.addEventListener("click", function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) return;
    if (target.closest(".report-bar-toc")) { setDrawer(!drawerOpen()); return; }
    if (target.closest(".report-toc-close")) { setDrawer(false); document.querySelector(".report-bar-toc").focus(); return; }
    if (drawerOpen() && target.closest("#TOC a")) setDrawer(false);
    if (target.closest(".report-bar-search")) openSearch();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && drawerOpen()) { setDrawer(false); document.querySelector(".report-bar-toc").focus(); }
    if (ev.key === "Escape") hidePeek(true);
    // "/" opens search, as on many sites, unless the reader is typing somewhere
    if (ev.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test((document.activeElement || {}).tagName || "")) {
      ev.preventDefault();
      openSearch();
    }
  });
  // Tab from the drawer's last link goes back to its first: the page behind is covered.
  document.addEventListener("focusin", function (ev) {
    if (drawerOpen() && !toc().contains(ev.target)) toc().querySelector("a, button").focus();
  });
  wide.addEventListener("change", function () { if (wide.matches) setDrawer(false); });

  // --- contents: where the reader is --------------------------------------------------------
  var marked = null;
  function tocLink(id) {
    var t = toc();
    return t ? t.querySelector('a[href="#' + CSS.escape(id) + '"]') : null;
  }
  function mark(id) {
    var link = tocLink(id);
    if (!link || link === marked) return;
    if (marked) marked.removeAttribute("aria-current");
    link.setAttribute("aria-current", "location");
    marked = link;
    // unfold the chapter being read, fold the others
    var t = toc();
    var chapter = link.closest("#TOC > ul > li");
    t.querySelectorAll(":scope > ul > li").forEach(function (li) {
      li.classList.toggle("report-toc-closed", li !== chapter && !!li.querySelector("ul"));
    });
    if (wide.matches) {
      var box = t.getBoundingClientRect(), r = link.getBoundingClientRect();
      if (r.top < box.top + 40 || r.bottom > box.bottom - 40) t.scrollTop += r.top - box.top - box.height / 3;
    }
  }
  // The section being read is that of the first heading between the top of the screen and a line
  // 35% down it, or else of the last heading gone up past the top. It is
  // looked up on scroll, not with an IntersectionObserver: after a jump (a link, a #hash, the
  // scrollbar dragged) the headings that went from below the screen to above it never crossed
  // it and would not be reported. Chapters are found by their own boxes, as their insides may
  // not be laid out yet (content-visibility: auto); headings only inside the chapter on screen.
  var markQueued = false;
  function markReading() {
    markQueued = false;
    var line = window.innerHeight * 0.35, all = headings(), chapter = null;
    chapters().forEach(function (c) { if (c.getBoundingClientRect().top <= line) chapter = c; });
    if (!chapter) return;
    var current = null;
    for (var i = 0; i < all.length; i++) {
      if (!chapter.contains(all[i])) continue;
      var top = all[i].getBoundingClientRect().top;
      if (top > line) break;
      current = all[i];
      if (top >= 0) break;  // the first heading in the band above the line wins
    }
    if (current) mark(current.parentElement.id);
  }
  function markSoon() {
    if (!markQueued) { markQueued = true; requestAnimationFrame(markReading); }
  }
  window.addEventListener("scroll", markSoon, { passive: true });
  window.addEventListener("resize", markSoon);
  // pandoc puts the ids on the section elements (--section-divs), and the contents link to those
  var headingList = null;
  function headings() {
    if (!headingList) {
      headingList = Array.prototype.slice.call(main.querySelectorAll("section.level1[id] > h1, section.level2[id] > h2"))
        .filter(function (h) { return !!tocLink(h.parentElement.id); });
    }
    return headingList;
  }

  // --- headings: anchors; chapters: previous and next ----------------------------------------
  function anchors(root) {
    root.querySelectorAll("section[id] > h1, section[id] > h2, section[id] > h3").forEach(function (h) {
      if (h.querySelector(".report-anchor")) return;
      var a = document.createElement("a");
      a.className = "report-anchor";
      a.href = "#" + h.parentElement.id;
      a.setAttribute("aria-label", "Link to this section: " + text(h));
      a.textContent = "#";
      h.appendChild(a);
    });
  }
  function titleOf(section) {
    var h = headingOf(section);
    if (!h) return "";
    var c = h.cloneNode(true);
    c.querySelectorAll(".report-anchor").forEach(function (a) { a.remove(); });
    return text(c);
  }
  function pagers() {
    var list = chapters().filter(function (s) { return !s.classList.contains("part") && headingOf(s); });
    list.forEach(function (s, i) {
      var old = s.querySelector(":scope > .report-pager");
      if (old) old.remove();
      var p = document.createElement("div");
      p.className = "report-pager";
      function link(target, cls, word) {
        var a = document.createElement("a");
        a.className = cls;
        a.href = "#" + target.id;
        var small = document.createElement("span");
        small.textContent = word;
        a.appendChild(small);
        a.appendChild(document.createTextNode(titleOf(target)));
        p.appendChild(a);
      }
      if (i > 0) link(list[i - 1], "report-prev", "Previous chapter");
      if (i < list.length - 1) link(list[i + 1], "report-next", "Next chapter");
      s.appendChild(p);
    });
  }

  // --- back to top ------------------------------------------------------------------------------
  var top = document.querySelector(".report-top"), ticking = false;
  window.addEventListener("scroll", function () {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(function () {
      ticking = false;
      if (top) top.classList.toggle("report-shown", window.scrollY > window.innerHeight * 1.5);
    });
  }, { passive: true });

  // --- search -----------------------------------------------------------------------------------
  // The index is the page itself: each section's heading and text, read when search opens (so
  // chapters the preview swapped in are found as they now read).
  var dialog = null, index = null, dirty = true;
  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function buildIndex() {
    index = [];
    main.querySelectorAll("section[id]").forEach(function (s) {
      var h = headingOf(s);
      if (!h) return;
      var parts = [];
      s.childNodes.forEach(function (n) {
        // the section's own text; its subsections are entries of their own
        if (n.nodeType === 1 && (n.matches("section") || n.matches(".report-pager") || n === h)) return;
        if (n.nodeType === 1 && n.matches("svg, script, style")) return;
        if (n.nodeType === 1) {
          var c = n.cloneNode(true);
          // chart text is text, found by search, but once (not in both drawings)
          c.querySelectorAll(".report-chart-narrow, .report-anchor, button").forEach(function (x) { x.remove(); });
          parts.push(text(c));
        } else if (n.nodeType === 3) parts.push(n.textContent);
      });
      var chapter = s.closest("section.level1");
      var body = parts.join(" ").replace(/\s+/g, " ").trim();
      index.push({ id: s.id, title: titleOf(s), chapter: chapter && chapter !== s ? titleOf(chapter) : "",
                   body: body, foldedTitle: fold(titleOf(s)), foldedBody: fold(body) });
    });
    dirty = false;
  }
  function snippet(entry, terms) {
    var at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) at = entry.foldedBody.indexOf(terms[i]);
    var start = Math.max(0, at - 60), end = Math.min(entry.body.length, (at < 0 ? 0 : at) + 140);
    return (start > 0 ? "\u2026" : "") + entry.body.slice(start, end) + (end < entry.body.length ? "\u2026" : "");
  }
  function highlight(el, s, terms) {
    // safe: builds text nodes and <mark>s, never HTML from the page's text
    var f = fold(s), i = 0;
    while (i < s.length) {
      var next = -1, len = 0;
      terms.forEach(function (t) { var k = f.indexOf(t, i); if (k >= 0 && (next < 0 || k < next)) { next = k; len = t.length; } });
      if (next < 0) { el.appendChild(document.createTextNode(s.slice(i))); break; }
      if (next > i) el.appendChild(document.createTextNode(s.slice(i, next)));
      var m = document.createElement("mark");
      m.textContent = s.slice(next, next + len);
      el.appendChild(m);
      i = next + len;
    }
  }
  function runSearch(query) {
    var list = dialog.querySelector(".report-search-results");
    var status = dialog.querySelector(".report-search-status");
    list.innerHTML = "";
    var terms = fold(query).split(/\s+/).filter(function (t) { return t.length > 1 || /\d/.test(t); });
    if (!terms.length) { status.textContent = "Type a word or two to search the whole report."; return; }
    if (dirty || !index) buildIndex();
    var hits = [];
    index.forEach(function (e) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var inTitle = e.foldedTitle.indexOf(terms[i]) >= 0, inBody = e.foldedBody.indexOf(terms[i]) >= 0;
        if (!inTitle && !inBody) return;
        score += (inTitle ? 10 : 0) + (e.foldedBody.split(terms[i]).length - 1);
      }
      hits.push({ e: e, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    status.textContent = hits.length ? hits.length + (hits.length === 1 ? " section matches." : " sections match.") +
      (hits.length > 50 ? " The first 50 are listed." : "") : "Nothing in the report matches \u201c" + query + "\u201d.";
    hits.slice(0, 50).forEach(function (h) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "#" + h.e.id;
      var strong = document.createElement("strong");
      highlight(strong, h.e.title, terms);
      a.appendChild(strong);
      if (h.e.chapter) { var small = document.createElement("small"); small.textContent = h.e.chapter; a.appendChild(small); }
      var span = document.createElement("span");
      highlight(span, snippet(h.e, terms), terms);
      a.appendChild(span);
      li.appendChild(a);
      list.appendChild(li);
    });
  }
  function openSearch() {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "report-search";
      dialog.setAttribute("aria-labelledby", "report-search-label");
      dialog.innerHTML =
        '<form class="report-search-head" role="search" method="dialog">' +
        '<label id="report-search-label" for="report-search-input">Search the report</label>' +
        '<input id="report-search-input" type="search" autocomplete="off" spellcheck="false" aria-describedby="report-search-status">' +
        '<button type="button" class="report-bar-button report-search-close">Close</button></form>' +
        '<p class="report-search-status" id="report-search-status" role="status"></p>' +
        '<ol class="report-search-results"></ol>';
      var input = dialog.querySelector("input"), timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { runSearch(input.value); }, 120);
      });
      dialog.querySelector("form").addEventListener("submit", function (ev) {
        ev.preventDefault();
        var first = dialog.querySelector(".report-search-results a");
        if (first) first.click();
      });
      dialog.querySelector(".report-search-close").addEventListener("click", function () { dialog.close(); });
      // Escape in a filled search box would only clear it; one press closes search here
      dialog.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape") { ev.preventDefault(); dialog.close(); }
      });
      dialog.addEventListener("click", function (ev) {
        if (ev.target === dialog) { dialog.close(); return; }
        var a = ev.target instanceof Element && ev.target.closest(".report-search-results a");
        if (a) {
          // close first, so the browser scrolls the page rather than the dialog
          ev.preventDefault();
          dialog.close();
          var id = a.getAttribute("href").slice(1);
          location.hash = id;
          var target = document.getElementById(id);
          if (target) { target.setAttribute("tabindex", "-1"); target.focus({ preventScroll: true }); }
        }
      });
      document.body.appendChild(dialog);
    }
    if (!dialog.open) dialog.showModal();
    var input = dialog.querySelector("input");
    input.focus();
    input.select();
    runSearch(input.value);
  }

  // --- previews -------------------------------------------------------------------------------------
  var peek = null, peekFor = null, hideTimer = null;
  function peekContent(link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").replace(/^#/, ""));
    var target = id && document.getElementById(id);
    if (!target) return null;
    var box = document.createElement("div");
    function add(node) {
      var c = node.cloneNode(true);
      if (c.removeAttribute) c.removeAttribute("id");
      if (c.querySelectorAll) {
        c.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
        c.querySelectorAll(".footnote-back, .report-anchor, .report-pager, script").forEach(function (el) { el.remove(); });
        c.querySelectorAll("a, button, [tabindex], details, summary").forEach(function (el) { el.setAttribute("tabindex", "-1"); });
      }
      box.appendChild(c);
    }
    if (target.matches("figure, .quarto-float")) {
      var cap = target.querySelector("figcaption");
      if (cap) { var p = document.createElement("p"); p.innerHTML = cap.innerHTML; add(p); }
      var art = target.querySelector(".report-chart-wide");
      if (art) add(art);
    } else if (target.matches("li[role=doc-endnote], .footnotes li, div.csl-entry")) {
      add(target);
    } else if (target.matches("section")) {
      var h = headingOf(target);
      if (h) add(h);
      var para = target.querySelector(":scope > p");
      if (para) add(para);
    } else {
      return null;
    }
    return box;
  }
  function showPeek(link) {
    clearTimeout(hideTimer);
    if (peekFor === link) return;
    var content = peekContent(link);
    if (!content) return;
    hidePeek(true);
    peek = document.createElement("div");
    peek.className = "report-peek";
    peek.id = "report-peek";
    peek.setAttribute("role", "tooltip");
    peek.appendChild(content);
    peek.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    peek.addEventListener("mouseleave", function () { hidePeek(false); });
    document.body.appendChild(peek);
    peekFor = link;
    link.setAttribute("aria-describedby", "report-peek");
    var r = link.getBoundingClientRect(), w = peek.offsetWidth, h = peek.offsetHeight;
    var left = Math.min(Math.max(8, r.left + window.scrollX), window.scrollX + document.documentElement.clientWidth - w - 8);
    var below = r.bottom + h + 12 < window.innerHeight;
    peek.style.left = left + "px";
    peek.style.top = (below ? r.bottom + window.scrollY + 6 : r.top + window.scrollY - h - 6) + "px";
  }
  function hidePeek(now) {
    clearTimeout(hideTimer);
    var go = function () {
      if (peek) { peek.remove(); peek = null; }
      if (peekFor) { peekFor.removeAttribute("aria-describedby"); peekFor = null; }
    };
    if (now) go(); else hideTimer = setTimeout(go, 250);  // time to move onto the preview
  }
  var PEEKABLE = "a.quarto-xref, a.footnote-ref, a[role=doc-noteref], .citation a[href^='#ref-']";
  document.addEventListener("mouseover", function (ev) {
    var a = hoverable.matches && ev.target instanceof Element && ev.target.closest(PEEKABLE);
    if (a && main.contains(a)) showPeek(a);
  });
  document.addEventListener("mouseout", function (ev) {
    var a = ev.target instanceof Element && ev.target.closest(PEEKABLE);
    if (a && a === peekFor && !(ev.relatedTarget instanceof Node && peek && peek.contains(ev.relatedTarget))) hidePeek(false);
  });
  document.addEventListener("focusin", function (ev) {
    var a = ev.target instanceof Element && ev.target.closest(PEEKABLE);
    if (a && main.contains(a)) showPeek(a); else if (peek && !peek.contains(ev.target)) hidePeek(true);
  });

  // --- start, and again for chapters swapped in ------------------------------------------------------
  function enhance() {
    anchors(main);
    pagers();
    headingList = null;
    dirty = true;
    markSoon();
  }
  enhance();
  var pending = false;
  new MutationObserver(function (changes) {
    // only changes from outside this script: whole sections (the preview) or the contents
    var relevant = changes.some(function (c) {
      return Array.prototype.some.call(c.addedNodes, function (n) {
        return n.nodeType === 1 && (n.matches("section, nav") || !!n.querySelector && !!n.querySelector("section"));
      });
    });
    if (!relevant || pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; marked = null; enhance(); });
  }).observe(document.body, { childList: true, subtree: true });
})();
