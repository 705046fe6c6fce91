-- figures.lua: in Quarto's HTML, the script and styles of the figures report.figures.show() draws
-- (figures.js: enlarge; figures.css: the chart at page or phone size, its data link and table),
-- loaded as an HTML dependency of every page. The embedded engine puts the same two files into
-- its single page itself, so under it (no `quarto` global) this does nothing.

function Meta(meta)
  if quarto == nil or not quarto.doc.is_format("html") then return nil end
  quarto.doc.add_html_dependency({
    name = "report-figures",
    version = "1.0.0",
    scripts = { "figures.js" },
    stylesheets = { "figures.css" },
  })
  return nil
end
