-- figure-numbers.lua: the book's one rule for figure numbers. Quarto loads it through this
-- extension (`filters: [report]` in _quarto.yml); the embedded engine runs the same file.
--
-- The rule: figures are numbered 1, 2, 3, ... through the whole book in reading order
-- (book.chapters, then book.appendices; inside a file, in document order), the way the
-- publication numbers its Figures 1-17. A figure is what Quarto makes a figure from a `fig-`
-- label: a code cell with `#| label: fig-...`, a `::: {#fig-...}` div or an image with
-- `{#fig-...}`.
--
-- Why a filter: both engines number figures per document, and a Quarto HTML book renders one
-- document per chapter, so each page would start again at Figure 1 (`crossref: chapters:
-- false` only drops the chapter prefix). The numbers are therefore worked out from the book's
-- source files, which every render can read, even when it renders one chapter on its own.
--
-- How each engine is told:
--   * Quarto: its figure counter for this document starts at the book number of the
--     document's first figure. A document's figures are consecutive in the book (checked
--     below), so captions, references and the book's cross-page index all carry book numbers.
--     (`crossref.fig-labels` as a list would be the documented way, but Quarto 1.9.38 fails on
--     a list: crossref/format.lua wraps each entry, already Inlines, in Inlines again.)
--   * Typst: Quarto's Typst books reset the figure counter at every chapter heading
--     (quarto-pre/book-numbering.lua), whatever `crossref.chapters` says, so the Typst
--     counter is set just before each figure to the number that figure must show.
--   * The embedded engine: each figure carries its number in a `number` attribute, which the
--     engine's crossref filter shows.

local stringify = pandoc.utils.stringify

local function fail(msg)
  msg = "figure-numbers: " .. msg
  if quarto == nil then
    -- The embedded engine prints the text between these markers as a clean build error.
    error("REPORT-ERROR: " .. msg .. " :REPORT-ERROR", 0)
  end
  error(msg, 0)
end

local function project_dir()
  if quarto ~= nil and quarto.project ~= nil and quarto.project.directory ~= nil then
    return quarto.project.directory
  end
  return os.getenv("QUARTO_PROJECT_DIR") or "."
end

-- The book's files in reading order, from the same `book:` metadata Quarto passes to every
-- chapter (a plain file, `{part: ..., chapters: [...]}`, or `{file: ...}`).
local function book_files(meta)
  local book = meta.book
  if type(book) ~= "table" then return {} end
  local files = {}
  local function add(items)
    if items == nil then return end
    if pandoc.utils.type(items) ~= "List" then items = { items } end
    for _, item in ipairs(items) do
      local kind = pandoc.utils.type(item)
      if kind == "table" and (item.part ~= nil or item.chapters ~= nil) then
        -- a part may itself be a page (`part: part.qmd`) before its chapters
        if item.part ~= nil and stringify(item.part):match("%.q?md$") then
          files[#files + 1] = stringify(item.part)
        end
        add(item.chapters)
      elseif kind == "table" and item.file ~= nil then
        files[#files + 1] = stringify(item.file)
      else
        files[#files + 1] = stringify(item)
      end
    end
  end
  add(book.chapters)
  add(book.appendices)
  return files
end

-- Cell options (`#| key: value` lines at the top of a cell), values unquoted.
local function cell_options(code)
  local opts = {}
  for line in (code .. "\n"):gmatch("(.-)\n") do
    local key, value = line:match("^#|%s*([%w%-_]+)%s*:%s*(.-)%s*$")
    if key == nil then break end
    opts[key] = value:gsub('^["\'](.*)["\']$', "%1")
  end
  return opts
end

-- A cell whose output is dropped draws no figure, even with a fig- label.
local function cell_shows_output(opts)
  return opts.include ~= "false" and opts.output ~= "false" and opts.eval ~= "false"
end

-- Figure ids of one source file, in document order.
local function source_figures(root, rel)
  if not rel:match("%.q?md$") then
    fail(rel .. ": only .qmd and .md chapters can be scanned for figures")
  end
  local f = io.open(root .. "/" .. rel, "r")
  if f == nil then fail(rel .. ": cannot read this chapter of the book") end
  local text = f:read("a")
  f:close()
  if not text:find("fig-", 1, true) then return {} end
  if text:find("{{< include", 1, true) then
    fail(rel .. ": included files are not scanned for figures; number figures in the chapter itself")
  end
  -- Pandoc's markdown does not know ```{python} fences (Quarto rewrites them before pandoc
  -- reads a file); mark them as executable cells so they are read as code blocks.
  text = text:gsub("\n(%s*)(```+)%s*{(%a[%w_]*)[^}\n]*}%s*\n", "\n%1%2{.report-cell-%3}\n")
  text = text:gsub("^(%s*)(```+)%s*{(%a[%w_]*)[^}\n]*}%s*\n", "%1%2{.report-cell-%3}\n")
  local doc = pandoc.read(text, "markdown")
  local ids, seen = {}, {}
  local function add(id)
    if id:match("^fig%-") and not seen[id] then
      seen[id] = true
      ids[#ids + 1] = id
    end
  end
  doc:walk({
    traverse = "topdown",
    CodeBlock = function(cb)
      for _, cls in ipairs(cb.classes) do
        if cls:match("^report%-cell%-") then
          local opts = cell_options(cb.text)
          if opts.label and cell_shows_output(opts) then add(opts.label) end
        end
      end
    end,
    Div = function(div) add(div.identifier) end,
    Figure = function(fig) add(fig.identifier) end,
    Image = function(img) add(img.identifier) end,
  })
  return ids
end

-- Figure ids of the document being rendered, in order.
local function document_figures(blocks)
  local ids, seen = {}, {}
  local function add(id)
    if id:match("^fig%-") and not seen[id] then
      seen[id] = true
      ids[#ids + 1] = id
    end
  end
  pandoc.Pandoc(blocks):walk({
    traverse = "topdown",
    Div = function(div) add(div.identifier) end,
    Figure = function(fig) add(fig.identifier) end,
    Image = function(img) add(img.identifier) end,
  })
  return ids
end

-- Typst figures Quarto writes are of this kind; the embedded engine writes the same.
local TYPST_FIGURE_KIND = "quarto-float-fig"

local function pin_typst_counters(doc, numbers)
  local pinned = {}
  local function pin(id)
    if numbers[id] == nil or pinned[id] then return nil end
    pinned[id] = true
    return pandoc.RawBlock("typst", string.format(
      '#counter(figure.where(kind: "%s")).update(%d)', TYPST_FIGURE_KIND, numbers[id].n - 1))
  end
  return doc:walk({
    Blocks = function(blocks)
      local out = pandoc.Blocks({})
      for _, b in ipairs(blocks) do
        if (b.t == "Div" or b.t == "Figure") and b.identifier:match("^fig%-") then
          local raw = pin(b.identifier)
          if raw then out:insert(raw) end
        end
        out:insert(b)
      end
      return out
    end,
  })
end

-- Quarto numbers the figures of a document from crossref.index.nextOrder.fig (crossref/index.lua,
-- indexNextOrder), which starts at 1. Extension filters see Quarto's globals through _G.
local function start_quarto_counter(first)
  local crossref = _G.crossref
  local index = type(crossref) == "table" and crossref.index or nil
  if type(index) ~= "table" or type(index.nextOrder) ~= "table" then
    fail("this Quarto keeps its figure counter elsewhere than crossref.index.nextOrder (written for Quarto 1.9)")
  end
  index.nextOrder.fig = first
end

local function mark(el, numbers)
  local entry = numbers[el.identifier]
  if entry == nil then return nil end
  el.attributes["number"] = tostring(entry.n)
  return el
end

function Pandoc(doc)
  local files = book_files(doc.meta)
  if #files == 0 then return nil end  -- not a book: leave numbering to the engine

  local root = project_dir()
  local numbers, by_file, n = {}, {}, 0
  for _, rel in ipairs(files) do
    by_file[rel] = source_figures(root, rel)
    for _, id in ipairs(by_file[rel]) do
      if numbers[id] then
        fail(rel .. ": figure label " .. id .. " is also used in " .. numbers[id].file)
      end
      n = n + 1
      numbers[id] = { n = n, file = rel }
    end
  end

  local here = document_figures(doc.blocks)
  if #here == 0 then return nil end
  local present, files_here, last = {}, {}, 0
  for _, id in ipairs(here) do
    local entry = numbers[id]
    if entry == nil then
      fail(id .. " is a figure in the output but no chapter of the book declares it")
    end
    if last ~= 0 and entry.n ~= last + 1 then
      fail(id .. " is Figure " .. entry.n .. " in the book but follows Figure " .. last .. " here")
    end
    last = entry.n
    present[id] = true
    files_here[entry.file] = true
  end
  -- A figure the source declares but the output lacks would shift every later number.
  for rel in pairs(files_here) do
    for _, id in ipairs(by_file[rel]) do
      if not present[id] then
        fail(rel .. ": figure " .. id .. " is declared but not in the output, so the numbers after it would be wrong")
      end
    end
  end

  if quarto ~= nil then
    start_quarto_counter(numbers[here[1]].n)
  else
    doc = doc:walk({
      Div = function(el) return mark(el, numbers) end,
      Figure = function(el) return mark(el, numbers) end,
    })
  end

  if FORMAT == "typst" then
    doc = pin_typst_counters(doc, numbers)
  end
  return doc
end
