-- Output-specific presentation, run after citeproc so captions and callout titles hold
-- rendered citations: figure/table caption prefixes ("Figure 3: "), alt text, callout boxes,
-- part headings, image paths for Typst. Structure and numbers come from crossref.lua.

local stringify = pandoc.utils.stringify
local is_typst = FORMAT == "typst"
local is_html = FORMAT:match("html") ~= nil

local work_rel = ""
local fig_prefix = "_report_fig/"
local delim = ":"
local fig_title, tbl_title = "Figure", "Table"
local cap_top = false  -- HTML: format.html.fig-cap-location is top, the numbered title above the chart

local function typst_str(s)
  return '"' .. s:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ") .. '"'
end

local function typst_inlines(inlines)
  local out = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "typst")
  return (out:gsub("%s+$", ""))
end

local function typst_blocks(blocks)
  return (pandoc.write(pandoc.Pandoc(blocks), "typst"):gsub("%s+$", ""))
end

local function typst_path(src)
  if src:match("^%a[%w+.-]*:") or src:sub(1, 1) == "/" then return src end
  if src:sub(1, #fig_prefix) == fig_prefix then return "/" .. work_rel .. "/" .. src end
  return "/" .. src
end

local function alt_of(img)
  local alt = img.attributes["fig-alt"] or img.attributes["alt"]
  if (alt == nil or alt == "") then alt = stringify(img.caption) end
  return alt
end

local function image_to_typst(img, in_figure)
  local args = { typst_str(typst_path(img.src)) }
  local alt = alt_of(img)
  if alt ~= "" then args[#args + 1] = "alt: " .. typst_str(alt) end
  local width = img.attributes["width"]
  if width and width:match("%%$") then
    args[#args + 1] = "width: " .. width
  elseif in_figure then
    args[#args + 1] = "width: 100%"
  end
  return "image(" .. table.concat(args, ", ") .. ")"
end

local CALLOUT_TITLES = { note = "Note", tip = "Tip", warning = "Warning", caution = "Caution", important = "Important" }

local function callout_kind(div)
  for _, cls in ipairs(div.classes) do
    local kind = cls:match("^callout%-(%a+)$")
    if kind and CALLOUT_TITLES[kind] then return kind end
  end
  return nil
end

local function callout(div)
  local kind = callout_kind(div)
  if not kind then return nil end
  local blocks = div.content
  local title
  if div.attributes["title"] then
    title = pandoc.read(div.attributes["title"], "markdown").blocks
    title = (title[1] and title[1].content) or pandoc.Inlines({})
  elseif blocks[1] and blocks[1].t == "Header" then
    title = blocks[1].content
    blocks = pandoc.Blocks({ table.unpack(blocks, 2) })
  else
    title = pandoc.Inlines({ pandoc.Str(CALLOUT_TITLES[kind]) })
  end
  if is_typst then
    -- `body` named, as Quarto calls the partial's callout(); the kind named too, where Quarto
    -- passes its colours (typst-template.typ reads either).
    local out = pandoc.Blocks({
      pandoc.RawBlock("typst", "#callout(kind: " .. typst_str(kind) .. ", title: [" .. typst_inlines(title) .. "], body: ["),
    })
    out:extend(blocks)
    out:insert(pandoc.RawBlock("typst", "])" .. (div.identifier ~= "" and (" <" .. div.identifier .. ">") or "")))
    return out
  end
  local classes = { "callout", "callout-" .. kind }
  for _, cls in ipairs(div.classes) do
    if not cls:match("^callout") then classes[#classes + 1] = cls end
  end
  return pandoc.Div({
    pandoc.Div(pandoc.Plain(title), { class = "callout-title" }),
    pandoc.Div(blocks, { class = "callout-body" }),
  }, pandoc.Attr(div.identifier, classes, { role = "note" }))
end

local function html_attr(s)
  return (s:gsub("&", "&amp;"):gsub('"', "&quot;"):gsub("<", "&lt;"))
end

-- A Typst figure of one of Quarto's float kinds, so the partials style both engines' charts and
-- tables alike. Numbers come from crossref.lua so both outputs agree; Typst only displays them.
local function typst_figure(fig, body, caption_arg, kind, supplement, number)
  local args = { "[" .. typst_blocks(body) .. "]" }
  if caption_arg then args[#args + 1] = caption_arg end
  args[#args + 1] = 'kind: "' .. kind .. '"'
  args[#args + 1] = "supplement: [" .. supplement .. "]"
  args[#args + 1] = number and ('numbering: (..) => "' .. number .. '"') or "numbering: none"
  local label = fig.identifier ~= "" and (" <" .. fig.identifier .. ">") or ""
  return pandoc.RawBlock("typst", "#figure(\n  " .. table.concat(args, ",\n  ") .. "\n)" .. label)
end

-- A table float whose table is raw HTML and Typst (crossref.lua makes one from a `#tbl-` div
-- holding no pandoc table): captioned above, as Quarto sets table captions, and numbered as a
-- table. Typst gets Quarto's own figure kind for tables, so the partials style both engines'
-- tables alike and book-numbers.lua can pin its counter.
local function table_float(fig, caption, number)
  if is_typst then
    local cap = #caption > 0 and ("caption: figure.caption(position: top, [" .. typst_inlines(caption) .. "])") or nil
    return typst_figure(fig, fig.content, cap, "quarto-float-tbl", tbl_title, number)
  end
  local shown = pandoc.Inlines({})
  if number then
    shown:insert(pandoc.Span(tbl_title .. " " .. number .. delim, { class = "table-number" }))
    if #caption > 0 then shown:insert(pandoc.Space()) end
  end
  shown:extend(caption)
  local id = fig.identifier ~= "" and (' id="' .. html_attr(fig.identifier) .. '"') or ""
  local out = pandoc.Blocks({
    pandoc.RawBlock("html", "<figure" .. id .. ' class="quarto-float quarto-float-tbl">'),
  })
  if #shown > 0 then
    out:insert(pandoc.RawBlock("html", "<figcaption>"))
    out:insert(pandoc.Plain(shown))
    out:insert(pandoc.RawBlock("html", "</figcaption>"))
  end
  out:extend(fig.content)
  out:insert(pandoc.RawBlock("html", "</figure>"))
  return out
end

-- HTML attributes as pandoc's writer spells them (id, class, data- for the rest).
local function html_attrs(attr)
  local function esc(v) return (v:gsub("&", "&amp;"):gsub('"', "&quot;"):gsub("<", "&lt;")) end
  local out = {}
  if attr.identifier ~= "" then out[#out + 1] = 'id="' .. esc(attr.identifier) .. '"' end
  if #attr.classes > 0 then out[#out + 1] = 'class="' .. esc(table.concat(attr.classes, " ")) .. '"' end
  local keys = {}
  for k, _ in pairs(attr.attributes) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local name = k:match("^data%-") and k or ("data-" .. k)
    out[#out + 1] = name .. '="' .. esc(attr.attributes[k]) .. '"'
  end
  return #out > 0 and (" " .. table.concat(out, " ")) or ""
end

-- Pandoc's HTML writer puts a figure's caption after its content; with fig-cap-location: top
-- (Quarto's option, which Quarto's HTML honours too) the figure is written out with the
-- caption first, so the numbered title is read before the chart.
function figure_caption_above(fig, caption)
  local out = pandoc.Blocks({ pandoc.RawBlock("html", "<figure" .. html_attrs(fig.attr) .. ">") })
  local cap = pandoc.Inlines({ pandoc.RawInline("html", "<figcaption>") })
  cap:extend(caption)
  cap:insert(pandoc.RawInline("html", "</figcaption>"))
  out:insert(pandoc.Plain(cap))
  out:extend(fig.content)
  out:insert(pandoc.RawBlock("html", "</figure>"))
  return out
end

local function figure(fig)
  local number = fig.attributes["number"]
  local caption = pandoc.Inlines({})
  for _, b in ipairs(fig.caption.long) do
    if b.content then caption:extend(b.content) end
  end
  if fig.identifier:match("^tbl%-") then return table_float(fig, caption, number) end
  if is_typst then
    local body = fig.content:walk({
      Image = function(img) return pandoc.RawInline("typst", "#box(" .. image_to_typst(img, true) .. ")") end,
    })
    local cap = #caption > 0 and ("caption: [" .. typst_inlines(caption) .. "]") or nil
    return typst_figure(fig, body, cap, "quarto-float-fig", fig_title, number)
  end
  fig.content = fig.content:walk({
    Image = function(img)
      img.attributes["alt"] = alt_of(img)
      img.attributes["fig-alt"] = nil
      return img
    end,
  })
  if number then
    local prefix = pandoc.Inlines({ pandoc.Span(fig_title .. " " .. number .. delim, { class = "figure-number" }) })
    if #caption > 0 then prefix:insert(pandoc.Space()) end
    prefix:extend(caption)
    caption = prefix
  end
  fig.caption = { long = { pandoc.Plain(caption) } }
  if cap_top then return figure_caption_above(fig, caption) end
  return fig
end

-- Typst numbers headings itself (typst-template.typ), as it does under Quarto: the number
-- crossref.lua put in front of a heading's text comes out again, and a heading it left without
-- one is marked unnumbered, which pandoc writes as `numbering: none`.
local function typst_header(h)
  local first = h.content[1]
  if first and first.t == "Span" and first.classes:includes("header-section-number") then
    h.content:remove(1)
    if h.content[1] and h.content[1].t == "Space" then h.content:remove(1) end
  elseif not h.classes:includes("unnumbered") then
    h.classes:insert("unnumbered")
  end
  return h
end

-- Quarto's Typst books switch to appendix numbering with this line before the first appendix
-- (orange-book.lua); typst-template.typ defines `appendices` for both engines.
local appendices_started = false
local function typst_appendix_start(div)
  if appendices_started or div.attributes["kind"] ~= "appendix" then return nil end
  appendices_started = true
  return pandoc.RawBlock("typst", '#show: appendices.with("Appendices", hide-parent: true)')
end

-- HTML: a table wider than a phone scrolls sideways inside a box the keyboard can reach
-- (focusable and named after the table), instead of widening the page.
local function scroll_box(tbl)
  local name = stringify(tbl.caption.long)
  if name == "" then name = "Table" end
  return pandoc.Div({ tbl }, pandoc.Attr("", { "report-table-scroll" },
    { { "tabindex", "0" }, { "role", "group" }, { "aria-label", name } }))
end

local function table_caption(tbl)
  local number = tbl.attributes["number"]
  if not number then return is_html and scroll_box(tbl) or nil end
  if is_typst then
    -- pandoc writes the table as a Typst figure; show our number instead of Typst's count
    return {
      pandoc.RawBlock("typst", '#[#set figure(numbering: (..) => "' .. number .. '")'),
      tbl,
      pandoc.RawBlock("typst", "]"),
    }
  end
  local caption = pandoc.Inlines({ pandoc.Span(tbl_title .. " " .. number .. delim, { class = "table-number" }) })
  for _, b in ipairs(tbl.caption.long) do
    if b.content then caption:insert(pandoc.Space()); caption:extend(b.content) end
  end
  tbl.caption.long = { pandoc.Plain(caption) }
  return is_html and scroll_box(tbl) or tbl
end

return {
  {
    Meta = function(meta)
      work_rel = meta["report-work-rel"] and stringify(meta["report-work-rel"]) or ""
      local cfg = meta.crossref or {}
      if cfg["title-delim"] then delim = stringify(cfg["title-delim"]) end
      if cfg["fig-title"] then fig_title = stringify(cfg["fig-title"]) end
      if cfg["tbl-title"] then tbl_title = stringify(cfg["tbl-title"]) end
      cap_top = meta["report-fig-cap-location"] ~= nil and stringify(meta["report-fig-cap-location"]) == "top"
    end,
  },
  {
    Div = function(div)
      if div.classes:includes("report-chapter") or div.classes:includes("report-part-wrap") then
        if is_typst and div.classes:includes("report-chapter") then
          local start = typst_appendix_start(div)
          if start then
            local blocks = pandoc.Blocks({ start })
            blocks:extend(div.content)
            return blocks
          end
        end
        return div.content
      end
      return callout(div)
    end,
    Figure = figure,
    Table = table_caption,
    Header = function(h)
      if h.classes:includes("part") then
        if is_typst then
          return pandoc.RawBlock("typst", "#report-part([" .. typst_inlines(h.content) .. "])")
        end
      end
      h.attributes["number"] = nil
      if is_typst then return typst_header(h) end
      return h
    end,
  },
  {
    -- HTML: display maths wider than a phone scrolls sideways in a box the keyboard can reach
    -- (focusable, named), rather than being cut off or scrolling only by touch or mouse.
    Math = function(m)
      if not is_html or m.mathtype ~= "DisplayMath" then return nil end
      -- attributes as a list: a Lua table's keys come out in no fixed order, and builds must
      -- give the same bytes
      return pandoc.Span({ m }, pandoc.Attr("", { "report-math" },
        { { "tabindex", "0" }, { "role", "group" }, { "aria-label", "Equation" } }))
    end,
    -- Images outside figures (inline or alone in a paragraph).
    Image = function(img)
      if is_typst then
        return pandoc.RawInline("typst", "#box(" .. image_to_typst(img, false) .. ")")
      end
      if not img.attributes["alt"] then img.attributes["alt"] = alt_of(img) end
      img.attributes["fig-alt"] = nil
      return img
    end,
  },
}
