-- colophon.lua: the line saying which commit and data version built the book ("Built from
-- commit ... and data version ..."), which `report build` passes as `report-colophon`, at the foot
-- of the book's first page in Quarto's HTML. The PDF prints it under the contents (the Typst
-- partials, both engines) and the embedded engine's one-page HTML in its page template; Quarto's
-- HTML pages have no place for it, hence this filter, which only acts there.

local function first_book_file(meta)
  local chapters = meta.book and meta.book.chapters
  if chapters == nil or #chapters == 0 then return nil end
  local first = chapters[1]
  if type(first) == "table" and first.file ~= nil then first = first.file end
  return pandoc.utils.stringify(first)
end

function Pandoc(doc)
  if quarto == nil or not quarto.doc.is_format("html") then return nil end
  local line = doc.meta["report-colophon"]
  local first = first_book_file(doc.meta)
  if line == nil or first == nil or quarto.project.directory == nil then return nil end
  local input = pandoc.path.make_relative(quarto.doc.input_file, quarto.project.directory)
  if input ~= first then return nil end
  doc.blocks:insert(pandoc.Div(pandoc.Para(pandoc.utils.stringify(line)), { class = "report-colophon" }))
  return doc
end
