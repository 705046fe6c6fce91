-- Book structure for the embedded engine, run on the assembled book before citeproc:
--   1. Quarto's figure/table forms (div with #fig-/#tbl- id) become pandoc Figures,
--      `.content-visible/.content-hidden when-format` is resolved;
--   2. chapters, appendices, sections, figures and tables are numbered in document order
--      (a figure that arrives with a `number` attribute keeps it: the book's own rule in
--      _extensions/report/book-numbers.lua, run before this filter, numbers figures for both
--      engines);
--   3. @fig-/@sec-/@tbl- references become links with their text ("Figure 3", "Chapter 2");
--      an unknown label or citation key stops the build, naming the chapter file.
-- Chapters arrive wrapped in Divs of class `report-chapter` (attributes file, kind) so errors
-- can name their source file and appendices can be lettered.

local stringify = pandoc.utils.stringify

local FORMAT_NAME = FORMAT:match("html") and "html" or FORMAT

local function meta_str(meta, key, default)
  local v = meta[key]
  if v == nil then return default end
  if type(v) == "boolean" then return v end
  return stringify(v)
end

local function fail(msg)
  error("REPORT-ERROR: " .. msg .. " :REPORT-ERROR", 0)
end

local function is_crossref_id(id)
  local lower = id:lower()
  return lower:match("^fig%-") or lower:match("^sec%-") or lower:match("^tbl%-") or lower:match("^eq%-")
end

local function only_images(block)
  if block.t ~= "Para" and block.t ~= "Plain" then return false end
  local seen = false
  for _, il in ipairs(block.content) do
    if il.t == "Image" then seen = true
    elseif il.t ~= "Space" and il.t ~= "SoftBreak" and il.t ~= "LineBreak" then return false end
  end
  return seen
end

-- Quarto's div form: `::: {#fig-x}` content, then the caption as the last paragraph.
local function div_to_figure(div, id)
  local blocks = div.content
  local caption = {}
  local body = {}
  local n = #blocks
  if n > 1 and blocks[n].t == "Para" and not only_images(blocks[n]) then
    caption = blocks[n].content
    for i = 1, n - 1 do body[#body + 1] = blocks[i] end
  else
    for i = 1, n do body[#body + 1] = blocks[i] end
  end
  -- an image alone in a paragraph is already an implicit figure; inside a figure it is content
  for i, b in ipairs(body) do
    if b.t == "Figure" then
      body[i] = pandoc.Div(b.content)
    end
  end
  local fig = pandoc.Figure(body, { pandoc.Plain(caption) }, pandoc.Attr(id or "", div.classes, div.attributes))
  return fig
end

local function when_format_matches(value)
  for f in value:gmatch("[^%s,]+") do
    if f == FORMAT_NAME or (f == "html" and FORMAT:match("html")) or (f == "pdf" and FORMAT == "typst") then
      return true
    end
  end
  return false
end

local preprocess = {
  traverse = "topdown",
  Div = function(div)
    if div.classes:includes("content-visible") or div.classes:includes("content-hidden") then
      local wf = div.attributes["when-format"]
      local uf = div.attributes["unless-format"]
      local show
      if wf then show = when_format_matches(wf) elseif uf then show = not when_format_matches(uf) else show = true end
      if div.classes:includes("content-hidden") then show = not show end
      if show then return div.content, true else return {}, false end
    end
    local is_callout = false
    for _, cls in ipairs(div.classes) do
      if cls:match("^callout%-") then is_callout = true end
    end
    if is_callout and not div.attributes["title"] and div.content[1] and div.content[1].t == "Header" then
      -- Quarto's other way to title a callout; the heading must not become a numbered section.
      div.attributes["title"] = stringify(div.content[1].content)
      div.content:remove(1)
      return div
    end
    if div.identifier:match("^fig%-") then
      return div_to_figure(div, div.identifier)
    end
    if div.classes:includes("report-figure") then
      return div_to_figure(div, "")
    end
    if div.identifier:match("^tbl%-") then
      local id = div.identifier
      local caption = nil
      local blocks = div.content
      local last = blocks[#blocks]
      local tables = 0
      for _, b in ipairs(blocks) do if b.t == "Table" then tables = tables + 1 end end
      if tables == 1 then
        local out = {}
        for i, b in ipairs(blocks) do
          if b.t == "Table" then
            b.identifier = id
            if #b.caption.long == 0 and last.t == "Para" and i < #blocks then
              b.caption.long = { pandoc.Plain(last.content) }
              caption = true
            end
            out[#out + 1] = b
          elseif not (caption and b == last) then
            out[#out + 1] = b
          end
        end
        if caption and out[#out] == last then out[#out] = nil end
        return out
      end
      -- A table the chapter's code writes itself (raw HTML and Typst, as the recommendations
      -- tables are), captioned by the div's last paragraph: a float of its own, numbered as a
      -- table (Quarto makes the same div a table float).
      if tables == 0 then
        return div_to_figure(div, id)
      end
    end
  end,
}

-- numbering ----------------------------------------------------------------------------

local targets = {}      -- id -> { kind = "fig"|"sec"|"tbl", text = "Figure 3", file = ... }
local xref = {}

local function letter(n)
  local s = ""
  while n > 0 do
    local r = (n - 1) % 26
    s = string.char(65 + r) .. s
    n = (n - 1 - r) // 26
  end
  return s
end

local function number_book(doc)
  local cfg = doc.meta.crossref or {}
  local function c(key, default) return cfg[key] and stringify(cfg[key]) or default end
  xref = {
    chapters = cfg.chapters == nil and true or cfg.chapters == true or c("chapters", "") == "true",
    fig_title = c("fig-title", "Figure"),
    fig_prefix = c("fig-prefix", c("fig-title", "Figure")),
    tbl_title = c("tbl-title", "Table"),
    tbl_prefix = c("tbl-prefix", c("tbl-title", "Table")),
    delim = c("title-delim", ":"),
    appendix_title = c("appendix-title", "Appendix"),
    -- metadata strings lose leading spaces, so a dash delimiter gets its space back here
    appendix_delim = c("appendix-delim", "—"),
    sec_prefix = c("sec-prefix", "Section"),
    ch_prefix = c("ch-prefix", "Chapter"),
  }
  if xref.appendix_delim:match("^[—–-]") then xref.appendix_delim = " " .. xref.appendix_delim end
  local number_sections = meta_str(doc.meta, "report-number-sections", "true") == "true"
  local depth = tonumber(meta_str(doc.meta, "report-number-depth", "3")) or 3

  local chapter_no, appendix_no, fig_no, tbl_no = 0, 0, 0, 0
  local chapter_label = nil  -- "1" or "A" for the current numbered chapter, nil when unnumbered
  local chapter_fig, chapter_tbl = 0, 0
  local counters = {}

  local function seq(kind)
    if kind == "fig" then
      fig_no = fig_no + 1; chapter_fig = chapter_fig + 1
      if xref.chapters and chapter_label then return chapter_label .. "." .. chapter_fig end
      return tostring(fig_no)
    else
      tbl_no = tbl_no + 1; chapter_tbl = chapter_tbl + 1
      if xref.chapters and chapter_label then return chapter_label .. "." .. chapter_tbl end
      return tostring(tbl_no)
    end
  end

  local function register(id, entry, file)
    if id == "" then return end
    if targets[id] then
      if is_crossref_id(id) then
        fail(file .. ": label '" .. id .. "' is defined twice (also in " .. targets[id].file .. ")")
      end
      return
    end
    entry.file = file
    targets[id] = entry
  end

  -- Figures and tables number the same way: by kind, in document order, under their own prefix.
  local function numbered(kind, prefix, file)
    return function(el)
      if el.identifier:match("^" .. kind .. "%-") then
        local n = el.attributes["number"] or seq(kind)
        el.attributes["number"] = n
        register(el.identifier, { kind = kind, text = prefix .. " " .. n }, file)
        return el
      end
    end
  end

  local function number_in(blocks, file, kind)
    local number_figure = numbered("fig", xref.fig_prefix, file)
    local number_table = numbered("tbl", xref.tbl_prefix, file)
    return blocks:walk({
      traverse = "topdown",
      Header = function(h)
        local title = stringify(h.content)
        local unnumbered = h.classes:includes("unnumbered") or not number_sections
        if h.level == 1 then
          counters = {}
          chapter_fig, chapter_tbl = 0, 0
          if unnumbered then
            chapter_label = nil
            register(h.identifier, { kind = "sec", text = title, plain = true }, file)
            return nil
          end
          local label, ref, shown
          if kind == "appendix" then
            appendix_no = appendix_no + 1
            label = letter(appendix_no)
            ref = xref.appendix_title .. " " .. label
            shown = ref .. xref.appendix_delim
          else
            chapter_no = chapter_no + 1
            label = tostring(chapter_no)
            ref = xref.ch_prefix .. " " .. label
            shown = label
          end
          chapter_label = label
          h.attributes["number"] = label
          register(h.identifier, { kind = "sec", text = ref }, file)
          local content = pandoc.Inlines({ pandoc.Span(shown, { class = "header-section-number" }), pandoc.Space() })
          content:extend(h.content)
          h.content = content
          return h
        end
        -- a section below a chapter
        if unnumbered or not chapter_label then
          register(h.identifier, { kind = "sec", text = title, plain = true }, file)
          return nil
        end
        for l = h.level + 1, 10 do counters[l] = nil end
        counters[h.level] = (counters[h.level] or 0) + 1
        local parts = { chapter_label }
        for l = 2, h.level do parts[#parts + 1] = tostring(counters[l] or 0) end
        local num = table.concat(parts, ".")
        register(h.identifier, { kind = "sec", text = xref.sec_prefix .. " " .. num }, file)
        if h.level <= depth then
          local content = pandoc.Inlines({ pandoc.Span(num, { class = "header-section-number" }), pandoc.Space() })
          content:extend(h.content)
          h.content = content
          return h
        end
      end,
      Figure = function(el)
        if el.identifier:match("^tbl%-") then return number_table(el) end
        return number_figure(el)
      end,
      Table = number_table,
    })
  end

  for i, block in ipairs(doc.blocks) do
    if block.t == "Div" and block.classes:includes("report-chapter") then
      block.content = number_in(block.content, block.attributes.file or "?", block.attributes.kind or "chapter")
      doc.blocks[i] = block
    end
  end
  return doc
end

-- reference resolution ---------------------------------------------------------------------

local function resolve(doc)
  local known_refs = {}
  for _, ref in ipairs(pandoc.utils.references(doc)) do known_refs[ref.id] = true end
  local problems = {}

  local function walk_chapter(blocks, file)
    return blocks:walk({
      Image = function(img)
        local alt = img.attributes["fig-alt"] or img.attributes["alt"] or stringify(img.caption)
        if alt == "" then
          problems[#problems + 1] = file .. ": image " .. img.src .. " has no alt text (write ![alt text](" .. img.src .. ") or add fig-alt=\"...\")"
        end
      end,
      Cite = function(cite)
        local out = pandoc.Inlines({})
        local rest = {}
        local changed = false
        for _, citation in ipairs(cite.citations) do
          local id = citation.id
          if is_crossref_id(id) then
            changed = true
            local target = targets[id] or targets[id:sub(1, 1):lower() .. id:sub(2)]
            if not target then
              problems[#problems + 1] = file .. ": unknown cross-reference @" .. id
            else
              local text = pandoc.Inlines(target.text)
              if citation.mode == "SuppressAuthor" and not target.plain then
                text = pandoc.Inlines(target.text:match("(%S+)$"))
              end
              if #out > 0 then out:extend({ pandoc.Str(","), pandoc.Space() }) end
              if #citation.prefix > 0 then
                -- As in Quarto, `[Chapter @sec-x]` puts the author's word in place of the
                -- kind's own ("Chapter 3", not "Chapter Section 3"), linked with the number.
                local number = target.plain and target.text or target.text:match("(%S+)$")
                text = pandoc.Inlines(citation.prefix)
                text:insert(pandoc.Space())
                text:insert(pandoc.Str(number))
              end
              local key = targets[id] and id or (id:sub(1, 1):lower() .. id:sub(2))
              out:insert(pandoc.Link(text, "#" .. key, "", { class = "quarto-xref" }))
              if #citation.suffix > 0 then out:extend(citation.suffix) end
            end
          else
            if not known_refs[id] then
              problems[#problems + 1] = file .. ": citation key @" .. id .. " is not in the bibliography"
            end
            rest[#rest + 1] = citation
          end
        end
        if not changed then return nil end
        if #rest > 0 then
          if #out > 0 then out:insert(pandoc.Space()) end
          out:insert(pandoc.Cite({}, rest))
        end
        return out
      end,
    })
  end

  for i, block in ipairs(doc.blocks) do
    if block.t == "Div" and block.classes:includes("report-chapter") then
      block.content = walk_chapter(block.content, block.attributes.file or "?")
      doc.blocks[i] = block
    end
  end
  if #problems > 0 then fail(table.concat(problems, "\n")) end
  return doc
end

return {
  preprocess,
  { Pandoc = number_book },
  { Pandoc = resolve },
}
