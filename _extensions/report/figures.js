// Figures drawn by report.figures.show(), in both engines' HTML (report.figures.web writes the
// markup; this adds what needs script):
//   * an Enlarge button, and a click on the chart, open the page-size drawing in a dialog;
//   * a drawing the single-file page stores once (Figures 1 and 3) is shown through <use>
//     until this copies it in, so its text is text there too (selectable, found by search).
// Charts that arrive later (the preview swaps chapters in) are handled when they appear.
(function () {
  "use strict";
  var dialog = null, opener = null;

  function caption(chart) {
    var fig = chart.closest("figure") || chart.closest(".quarto-float");
    var cap = fig && fig.querySelector("figcaption");
    return cap ? cap.textContent.replace(/\s+/g, " ").trim() : "Chart";
  }

  // A copy without ids (they would repeat the original's); references inside it still find
  // the original's clip paths and patterns, which draw the same.
  function copy(svg) {
    var c = svg.cloneNode(true);
    c.removeAttribute("id");
    c.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    return c;
  }

  function close() { if (dialog && dialog.open) dialog.close(); }

  function enlarge(chart) {
    var svg = chart.querySelector(".report-chart-wide");
    if (!svg) return;
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "report-chart-dialog";
      dialog.innerHTML = '<div class="report-chart-dialog-head"><p></p><button type="button">Close</button></div>' +
        '<div class="report-chart-dialog-body" tabindex="0" role="group" aria-label="Chart, enlarged"></div>';
      dialog.querySelector("button").addEventListener("click", close);
      // a click on the backdrop (outside the dialog's box) closes it too
      dialog.addEventListener("click", function (ev) { if (ev.target === dialog) close(); });
      dialog.addEventListener("close", function () {
        dialog.querySelector(".report-chart-dialog-body").innerHTML = "";
        if (opener) opener.focus();
      });
      document.body.appendChild(dialog);
    }
    var title = caption(chart);
    dialog.setAttribute("aria-label", title);
    dialog.querySelector("p").textContent = title;
    var body = dialog.querySelector(".report-chart-dialog-body");
    body.innerHTML = "";
    var big = copy(svg);
    big.style.display = "block";
    body.appendChild(big);
    opener = chart.querySelector(".report-chart-enlarge");
    dialog.showModal();
  }

  function fillUses(chart) {
    chart.querySelectorAll("svg[data-uses]").forEach(function (svg) {
      var source = document.getElementById(svg.getAttribute("data-uses"));
      if (!source) return;
      var c = copy(source);
      svg.innerHTML = "";
      while (c.firstChild) svg.appendChild(c.firstChild);
      svg.removeAttribute("data-uses");
    });
  }

  function prepare(chart) {
    if (chart.hasAttribute("data-ready")) return;
    chart.setAttribute("data-ready", "");
    fillUses(chart);
    var tools = chart.querySelector(".report-chart-tools");
    if (tools) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "report-chart-enlarge";
      b.textContent = "Enlarge";
      b.setAttribute("aria-haspopup", "dialog");
      b.addEventListener("click", function () { enlarge(chart); });
      tools.insertBefore(b, tools.firstChild);
    }
    var art = chart.querySelector(".report-chart-art");
    if (art) art.addEventListener("click", function () { enlarge(chart); });
  }

  function all(root) {
    (root || document).querySelectorAll(".report-chart").forEach(prepare);
  }

  function start() {
    all();
    new MutationObserver(function (changes) {
      changes.forEach(function (c) {
        c.addedNodes.forEach(function (n) {
          if (n.nodeType !== 1) return;
          if (n.matches(".report-chart")) prepare(n); else all(n);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
