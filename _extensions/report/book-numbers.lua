-- book-numbers.lua: the book's numbering rules, one file both engines load. Quarto runs it
-- through this extension (`filters: [report]` in _quarto.yml); the embedded engine runs the same
-- file before its own crossref filter.
--
-- Figures: numbered 1, 2, 3, ... through the whole book in reading order (book.chapters, then
-- book.appendices; inside a file, in document order), the way the publication numbers its
-- Figures 1-17. A figure is what Quarto makes a figure from a `fig-` label: a code cell with
-- `#| label: fig-...`, a `::: {#fig-...}` div or an image with `{#fig-...}`. Tables (`tbl-`
-- labels) are numbered the same way, on their own count: the executive summary's table is
-- Table 1 and chapter 6's Table 2 in every output, though each is the first of its page in a
-- Quarto HTML book and of its chapter in Quarto's Typst book.
--
-- References to chapters: `@sec-x`, where sec-x is a chapter's own heading, reads "Chapter 3" or
-- "Appendix A", counting chapters as Quarto's book does (a chapter whose title is
-- `.unnumbered` gets no number; appendices are lettered from A).
--
-- Why a filter: both engines number per document, and a Quarto HTML book renders one document
-- per chapter, so each page would start again at Figure 1 (`crossref: chapters: false` only
-- drops the chapter prefix). The numbers are therefore worked out from the book's source files,
-- which every render can read, even when it renders one chapter on its own. Chapter references
-- are written here because Quarto's own say "Section 3" once `crossref.chapters` is false, and
-- only a title when the citing page is itself unnumbered.
--
-- How each engine is told the figure numbers:
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
-- A chapter reference becomes a link with its text, which both engines pass through (Quarto
-- points the link at the chapter's page).

local stringify = pandoc.utils.stringify

local function fail(msg)
  msg = "book-numbers: " .. msg
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
  local appendix = false
  local function add(items)
    if items == nil then return end
    if pandoc.utils.type(items) ~= "List" then items = { items } end
    for _, item in ipairs(items) do
      local kind = pandoc.utils.type(item)
      if kind == "table" and (item.part ~= nil or item.chapters ~= nil) then
        -- a part may itself be a page (`part: part.qmd`) before its chapters
        if item.part ~= nil and stringify(item.part):match("%.q?md$") then
          files[#files + 1] = { file = stringify(item.part), appendix = appendix, part = true }
        end
        add(item.chapters)
      elseif kind == "table" and item.file ~= nil then
        files[#files + 1] = { file = stringify(item.file), appendix = appendix }
      else
        files[#files + 1] = { file = stringify(item), appendix = appendix }
      end
    end
  end
  add(book.chapters)
  appendix = true
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

local function read_source(root, rel)
  if not rel:match("%.q?md$") then
    fail(rel .. ": only .qmd and .md chapters can be read for the book's numbers")
  end
  local f = io.open(root .. "/" .. rel, "r")
  if f == nil then fail(rel .. ": cannot read this chapter of the book") end
  local text = f:read("a")
  f:close()
  return text
end

-- The id of a chapter's title and whether it is numbered, as Quarto's book decides
-- (book-shared.ts, isNumberedChapter): a `title:` in the front matter, else the first `#` heading.
local function chapter_heading(text)
  local attrs
  local front = text:match("^%-%-%-\n(.-)\n%-%-%-")
  if front then
    local title = ("\n" .. front .. "\n"):match("\ntitle:%s*(.-)\n")
    if title then attrs = title:match("{(.-)}%s*[\"']?%s*$") or "" end
  end
  if attrs == nil then
    local fence = nil
    for line in (text .. "\n"):gmatch("(.-)\n") do
      local marker = line:match("^%s*(```+)") or line:match("^%s*(~~~+)")
      if marker then
        if fence == nil then fence = marker elseif marker:sub(1, 1) == fence:sub(1, 1) then fence = nil end
      elseif fence == nil and line:match("^#%s") then
        attrs = line:match("{(.-)}%s*$") or ""
        break
      end
    end
  end
  if attrs == nil then return nil, true end
  local id = attrs:match("#([%w%-_:.]+)")
  local unnumbered = attrs:match("%.unnumbered") ~= nil or attrs:match("^%s*%-%s*$") ~= nil
    or attrs:match("%s%-%s") ~= nil or attrs:match("^%-%s") ~= nil or attrs:match("%s%-$") ~= nil
  return id, not unnumbered
end

local function letter(n)
  local s = ""
  while n > 0 do
    local r = (n - 1) % 26
    s = string.char(65 + r) .. s
    n = (n - 1 - r) // 26
  end
  return s
end

-- "Chapter 3" and "Appendix A" for each numbered chapter's heading id.
local function chapter_labels(files, texts, meta)
  local crossref = type(meta.crossref) == "table" and meta.crossref or {}
  local ch_word = crossref["ch-prefix"] and stringify(crossref["ch-prefix"]) or "Chapter"
  local apx_word = crossref["appendix-title"] and stringify(crossref["appendix-title"]) or "Appendix"
  local labels, chapter, appendix = {}, 0, 0
  for _, entry in ipairs(files) do
    local id, numbered = chapter_heading(texts[entry.file])
    if numbered and not entry.part then
      local label
      if entry.appendix then
        appendix = appendix + 1
        label = { word = apx_word, number = letter(appendix) }
      else
        chapter = chapter + 1
        label = { word = ch_word, number = tostring(chapter) }
      end
      if id then labels[id] = label end
    end
  end
  return labels
end

-- `@sec-x` to a chapter: a link reading "Chapter 3" ("3" with `-@sec-x`; "Part 3" with
-- `[Part @sec-x]`, the author's word in place of the kind's, as Quarto does). nil when the
-- citation is not (only) of chapters: Quarto or the engine decide.
local function chapter_link(cite, labels)
  local out = pandoc.Inlines({})
  for i, c in ipairs(cite.citations) do
    local id = c.id:sub(1, 1):lower() .. c.id:sub(2)
    local label = labels[id]
    if label == nil then return nil end
    local text
    if #c.prefix > 0 then
      text = pandoc.Inlines(c.prefix)
      text:insert(pandoc.Space())
      text:insert(pandoc.Str(label.number))
    elseif c.mode == pandoc.SuppressAuthor then
      text = pandoc.Inlines({ pandoc.Str(label.number) })
    else
      text = pandoc.Inlines({ pandoc.Str(label.word), pandoc.Space(), pandoc.Str(label.number) })
    end
    if i > 1 then out:extend({ pandoc.Str(","), pandoc.Space() }) end
    out:insert(pandoc.Link(text, "#" .. id, "", { class = "quarto-xref" }))
    if #c.suffix > 0 then out:extend(c.suffix) end
  end
  return out
end

-- The kinds numbered here: the label prefix, the word for messages, and the kind of Typst
-- figure Quarto writes for it (the embedded engine writes the same).
local KINDS = {
  { prefix = "fig", word = "Figure", typst = "quarto-float-fig" },
  { prefix = "tbl", word = "Table", typst = "quarto-float-tbl" },
}

local function kind_of(id)
  for _, kind in ipairs(KINDS) do
    if id:sub(1, #kind.prefix + 1) == kind.prefix .. "-" then return kind end
  end
  return nil
end

-- Collects float ids by kind in the order `add` sees them, each once.
local function float_collector()
  local ids, seen = {}, {}
  for _, kind in ipairs(KINDS) do ids[kind.prefix] = {} end
  local function add(id)
    local kind = kind_of(id)
    if kind ~= nil and not seen[id] then
      seen[id] = true
      local list = ids[kind.prefix]
      list[#list + 1] = id
    end
  end
  return ids, add
end

-- Float ids of one source file by kind, in document order. The file is parsed once for all
-- kinds, and not at all when it mentions none.
local function source_floats(rel, text)
  local ids, add = float_collector()
  local mentions = false
  for _, kind in ipairs(KINDS) do
    if text:find(kind.prefix .. "-", 1, true) then mentions = true end
  end
  if not mentions then return ids end
  if text:find("{{< include", 1, true) then
    fail(rel .. ": included files are not scanned for figures or tables; number them in the chapter itself")
  end
  -- Pandoc's markdown does not know ```{python} fences (Quarto rewrites them before pandoc
  -- reads a file); mark them as executable cells so they are read as code blocks.
  text = text:gsub("\n(%s*)(```+)%s*{(%a[%w_]*)[^}\n]*}%s*\n", "\n%1%2{.report-cell-%3}\n")
  text = text:gsub("^(%s*)(```+)%s*{(%a[%w_]*)[^}\n]*}%s*\n", "%1%2{.report-cell-%3}\n")
  local doc = pandoc.read(text, "markdown")
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
    Table = function(tbl) add(tbl.identifier) end,
  })
  return ids
end

-- Chapter references written (chapter_link), and the float ids of the document being rendered
-- by kind, in order: one pass over the document (each pass over a book costs ~30 ms).
local function references_and_floats(doc, labels)
  local ids, add = float_collector()
  doc = doc:walk({
    traverse = "topdown",
    Cite = function(cite) return chapter_link(cite, labels) end,
    Div = function(div) add(div.identifier) end,
    Figure = function(fig) add(fig.identifier) end,
    Image = function(img) add(img.identifier) end,
    Table = function(tbl) add(tbl.identifier) end,
  })
  return doc, ids
end

-- Each numbered float told its number: for the embedded engine in a `number` attribute, for
-- Typst by a counter update just before it. One pass over the document's block lists.
local function mark_numbers(doc, numbers)
  local pinned = {}
  local attribute, counter = quarto == nil, FORMAT == "typst"
  return doc:walk({
    Blocks = function(blocks)
      local out = pandoc.Blocks({})
      for _, b in ipairs(blocks) do
        if b.t == "Div" or b.t == "Figure" or b.t == "Table" then
          local kind = kind_of(b.identifier)
          local entry = kind and numbers[b.identifier]
          if entry then
            if attribute then b.attributes["number"] = tostring(entry.n) end
            if counter and not pinned[b.identifier] then
              pinned[b.identifier] = true
              out:insert(pandoc.RawBlock("typst", string.format(
                '#counter(figure.where(kind: "%s")).update(%d)', kind.typst, entry.n - 1)))
            end
          end
        end
        out:insert(b)
      end
      return out
    end,
  })
end

-- Quarto numbers the floats of a document from crossref.index.nextOrder[fig|tbl]
-- (crossref/index.lua, indexNextOrder), which starts at 1. Extension filters see Quarto's
-- globals through _G.
local function start_quarto_counter(first, kind)
  local crossref = _G.crossref
  local index = type(crossref) == "table" and crossref.index or nil
  if type(index) ~= "table" or type(index.nextOrder) ~= "table" then
    fail("this Quarto keeps its figure counter elsewhere than crossref.index.nextOrder (written for Quarto 1.9)")
  end
  index.nextOrder[kind.prefix] = first
end

-- The book number of every float of one kind, from the sources in reading order; checks that
-- this document's floats of that kind are consecutive there and all present. Returns whether
-- the document has any.
local function number_kind(kind, files, by_file, here, numbers)
  local n = 0
  local word = kind.word:lower()
  for _, entry in ipairs(files) do
    local rel = entry.file
    for _, id in ipairs(by_file[rel][kind.prefix]) do
      if numbers[id] then
        fail(rel .. ": " .. word .. " label " .. id .. " is also used in " .. numbers[id].file)
      end
      n = n + 1
      numbers[id] = { n = n, file = rel }
    end
  end

  here = here[kind.prefix]
  if #here == 0 then return false end
  local present, files_here, last = {}, {}, 0
  for _, id in ipairs(here) do
    local entry = numbers[id]
    if entry == nil then
      fail(id .. " is a " .. word .. " in the output but no chapter of the book declares it")
    end
    if last ~= 0 and entry.n ~= last + 1 then
      fail(id .. " is " .. kind.word .. " " .. entry.n .. " in the book but follows " .. kind.word .. " " .. last .. " here")
    end
    last = entry.n
    present[id] = true
    files_here[entry.file] = true
  end
  -- A float the source declares but the output lacks would shift every later number.
  for rel in pairs(files_here) do
    for _, id in ipairs(by_file[rel][kind.prefix]) do
      if not present[id] then
        fail(rel .. ": " .. word .. " " .. id .. " is declared but not in the output, so the numbers after it would be wrong")
      end
    end
  end
  if quarto ~= nil then start_quarto_counter(numbers[here[1]].n, kind) end
  return true
end

function Pandoc(doc)
  local files = book_files(doc.meta)
  if #files == 0 then return nil end  -- not a book: leave numbering to the engine

  local root = project_dir()
  local texts, by_file = {}, {}
  for _, entry in ipairs(files) do
    texts[entry.file] = read_source(root, entry.file)
    by_file[entry.file] = source_floats(entry.file, texts[entry.file])
  end
  local here
  doc, here = references_and_floats(doc, chapter_labels(files, texts, doc.meta))
  -- Every kind is numbered and checked first; then one pass over the document tells the engine.
  local numbers, any = {}, false
  for _, kind in ipairs(KINDS) do
    if number_kind(kind, files, by_file, here, numbers) then any = true end
  end
  if not any or (quarto ~= nil and FORMAT ~= "typst") then return doc end
  return mark_numbers(doc, numbers)
end
