-- typst-pdf.lua: what the book's PDF needs from the document, one file both engines load
-- (Quarto through this extension, the embedded engine from `filters: [report]`). Typst output
-- only; other formats pass through untouched.
--
-- Equations get alt text. The PDF is PDF/UA-1 (`pdf-standard: ua-1` in _quarto.yml), and Typst
-- refuses to write one with an equation a screen reader cannot speak. The words come from the
-- equation's own TeX ("Y sub i of t equals rho W ..."), so no equation is described by hand and
-- a changed equation is described anew.
--
-- Charts get the alt text figures.show() generates from the data. The embedded engine passes it
-- on with the image; Quarto's Jupyter engine drops it (its Typst would write images without
-- any, which PDF/UA refuses), so it is read back from the chart's SVG, which carries it as its
-- description. An image with neither gets its caption's words. It is set with
-- `set image(alt: ...)` around the cell, since the image must stay an image for Quarto to make
-- its figure.
--
-- Charts stay in their section. typst-template.typ sets a chart below its paragraph when it
-- fits and floats it to the top of the next page when it does not; a `place.flush()` before
-- every section heading sets any chart still waiting before the next section starts. (Not in
-- the heading's own show rule: anything set there ahead of the heading would leave its anchor,
-- for the contents and links, on the previous page.) Chapter headings start a page, before
-- which Typst sets waiting charts anyway.
--
-- Callouts keep their style. Quarto's Typst callout passes no classes to the template's
-- `callout`, so a callout's own class (`::: {.callout-note .case-study}`) is handed over by
-- wrapping it in `report-callout-style("case-study")[...]` (typst-template.typ).

if FORMAT ~= "typst" then return {} end

local function typst_string(s)
  return '"' .. s:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

-- TeX to words -------------------------------------------------------------------------------

local GREEK = {}
for name in ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
  .. "rho sigma tau upsilon phi chi psi omega"):gmatch("%a+") do
  GREEK[name] = name
  GREEK[name:sub(1, 1):upper() .. name:sub(2)] = "capital " .. name
end
for _, name in ipairs({ "epsilon", "theta", "pi", "rho", "sigma", "phi" }) do GREEK["var" .. name] = name end

local SYMBOLS = {
  cdot = "times", times = "times", div = "divided by", pm = "plus or minus", mp = "minus or plus",
  le = "is less than or equal to", leq = "is less than or equal to",
  ge = "is greater than or equal to", geq = "is greater than or equal to",
  neq = "is not equal to", ne = "is not equal to", approx = "is approximately equal to",
  sim = "is distributed as", equiv = "is equivalent to", propto = "is proportional to",
  ["in"] = "in", to = "to", rightarrow = "to", infty = "infinity", partial = "partial",
  sum = "the sum of", prod = "the product of", int = "the integral of",
  ldots = "dots", cdots = "dots", dots = "dots", prime = "prime",
  log = "log", ln = "natural log", exp = "exp", min = "min", max = "max", lim = "limit",
  mathbb = nil,
}
local OPERATORS = {
  ["="] = "equals", ["+"] = "plus", ["-"] = "minus", ["<"] = "is less than",
  [">"] = "is greater than", ["*"] = "times", ["/"] = "over", [","] = ",", ["'"] = "prime",
  ["|"] = "bar", ["!"] = "factorial",
}
local ACCENTS = { hat = "hat", widehat = "hat", bar = "bar", overline = "bar", tilde = "tilde",
  widetilde = "tilde", dot = "dot", ddot = "double dot", vec = "vector" }
local TEXT_COMMANDS = { text = true, mathrm = true, mathit = true, mathbf = true, mathsf = true,
  mathtt = true, operatorname = true, textrm = true, textit = true, boldsymbol = true }
local IGNORED = { left = true, right = true, big = true, Big = true, bigl = true, bigr = true,
  displaystyle = true, quad = true, qquad = true, limits = true, nolimits = true }

local function tokenize(tex)
  local tokens, i = {}, 1
  while i <= #tex do
    local c = tex:sub(i, i)
    if c == "\\" then
      local name = tex:match("^%a+", i + 1)
      if name then
        tokens[#tokens + 1] = { kind = "cmd", value = name }
        i = i + 1 + #name
      else
        tokens[#tokens + 1] = { kind = "cmd", value = tex:sub(i + 1, i + 1) }
        i = i + 2
      end
    elseif c:match("%s") then
      i = i + 1
    elseif c:match("%d") then
      local digits = tex:match("^[%d.]+", i)
      tokens[#tokens + 1] = { kind = "num", value = digits }
      i = i + #digits
    else
      tokens[#tokens + 1] = { kind = "char", value = c }
      i = i + 1
    end
  end
  return tokens
end

-- A small recursive reader: an expression is a run of atoms up to `}` or `)` (or the end);
-- scripts and accents attach to the atom before or after them.
local function speak(tex)
  local tokens, pos = tokenize(tex), 1
  local expression

  local function peek() return tokens[pos] end
  local function take() pos = pos + 1; return tokens[pos - 1] end

  -- the words of one argument: a {group} or a single token
  local function argument()
    local t = peek()
    if t == nil then return "" end
    if t.kind == "char" and t.value == "{" then
      take()
      local words = expression("}")
      if peek() then take() end
      return words
    end
    return expression(nil, true)
  end

  local function raw_group()
    local t = peek()
    if not (t and t.kind == "char" and t.value == "{") then return argument() end
    take()
    local depth, out = 1, {}
    while peek() do
      local tok = take()
      if tok.kind == "char" and tok.value == "{" then depth = depth + 1
      elseif tok.kind == "char" and tok.value == "}" then
        depth = depth - 1
        if depth == 0 then break end
      end
      out[#out + 1] = tok.value
    end
    return table.concat(out, "")
  end

  local function atom()
    local t = take()
    if t.kind == "num" then return t.value end
    if t.kind == "char" then
      if t.value == "{" then
        local words = expression("}")
        if peek() then take() end
        return words
      end
      if t.value == "(" or t.value == "[" then
        local close = t.value == "(" and ")" or "]"
        local inner = expression(close)
        if peek() then take() end
        return { paren = inner }
      end
      if t.value == "_" then return { sub = argument() } end
      if t.value == "^" then return { sup = argument() } end
      return OPERATORS[t.value] or t.value
    end
    local name = t.value
    if GREEK[name] then return GREEK[name] end
    if ACCENTS[name] then return argument() .. " " .. ACCENTS[name] end
    if TEXT_COMMANDS[name] then return raw_group() end
    if name == "frac" or name == "dfrac" or name == "tfrac" then
      local num = argument()
      return num .. " over " .. argument()
    end
    if name == "sqrt" then return "the square root of " .. argument() end
    if IGNORED[name] or not name:match("%a") then return "" end
    return SYMBOLS[name] or name
  end

  -- `single`: stop after one atom with its scripts (an unbraced argument such as `_i`)
  expression = function(close, single)
    local words = {}
    local last_was_term = false
    while peek() do
      local t = peek()
      if close and t.kind == "char" and t.value == close then break end
      if not close and t.kind == "char" and (t.value == "}" or t.value == ")" or t.value == "]") then break end
      local a = atom()
      if type(a) == "table" and a.sub then
        words[#words + 1] = "sub " .. a.sub
      elseif type(a) == "table" and a.sup then
        local s = a.sup
        if s == "2" then words[#words + 1] = "squared"
        elseif s == "3" then words[#words + 1] = "cubed"
        else words[#words + 1] = "to the power " .. s end
      elseif type(a) == "table" and a.paren then
        -- f(t): "of t" after a term when the brackets hold one word; otherwise spoken brackets
        if last_was_term and not a.paren:find(" ") then
          words[#words + 1] = "of " .. a.paren
        else
          words[#words + 1] = "open bracket " .. a.paren .. " close bracket"
        end
        last_was_term = true
      elseif a ~= "" then
        words[#words + 1] = a
        last_was_term = not OPERATORS[t.value] or t.kind ~= "char"
      end
      if single and not (peek() and peek().kind == "char" and (peek().value == "_" or peek().value == "^")) then
        break
      end
    end
    return (table.concat(words, " "):gsub(" ,", ","))
  end

  local words = expression(nil)
  return (words:gsub("%s+", " "):gsub("^%s+", ""):gsub("%s+$", ""))
end

-- Elements ------------------------------------------------------------------------------------

local function equation(math)
  local alt = speak(math.text)
  -- pandoc's own Typst for the equation, so both engines set the maths as they always did
  local typst = pandoc.write(pandoc.Pandoc({ pandoc.Plain({ math }) }), "typst"):gsub("%s+$", "")
  return pandoc.RawInline("typst", "#[#set math.equation(alt: " .. typst_string(alt) .. ");" .. typst .. "]")
end

local function styled_callout(div)
  local is_callout, style = false, nil
  for _, cls in ipairs(div.classes) do
    if cls:match("^callout%-") then is_callout = true
    elseif style == nil and cls ~= "callout" then style = cls end
  end
  if not is_callout or style == nil then return nil end
  return {
    pandoc.RawBlock("typst", "#report-callout-style(" .. typst_string(style) .. ")["),
    div,
    pandoc.RawBlock("typst", "]"),
  }
end

local XML_ENTITIES = { lt = "<", gt = ">", quot = '"', apos = "'", amp = "&" }

-- The alt text figures.show() wrote into a chart's SVG (its dc:description). Only a relative
-- path inside the project is opened: the file Quarto itself wrote for the chart, beside the
-- project's top or, in a book, beside a chapter in one of its folders (at this stage the path
-- is still relative to the chapter's own folder).
local folders
local function svg_description(src)
  if not src:match("%.svg$") or src:match("^/") or src:match("^%a+:") or src:match("%.%.") then
    return nil
  end
  if folders == nil then
    folders = { "" }
    local ok, names = pcall(pandoc.system.list_directory, ".")
    for _, name in ipairs(ok and names or {}) do
      if not name:match("^[._]") then folders[#folders + 1] = name end
    end
  end
  for _, folder in ipairs(folders) do
    local path = folder == "" and src or pandoc.path.join({ folder, src })
    local f = io.open(path, "r")
    if f then
      local head = f:read(65536) or "" -- the metadata comes first in a matplotlib SVG
      f:close()
      local text = head:match("<dc:description>(.-)</dc:description>")
      if text then
        text = text:gsub("&#x(%x+);", function(h) return utf8.char(tonumber(h, 16)) end)
                   :gsub("&#(%d+);", function(d) return utf8.char(tonumber(d)) end)
                   :gsub("&(%a+);", function(e) return XML_ENTITIES[e] end)
        return text
      end
    end
  end
  return nil
end

-- Alt text for the first image in `block` that has none of its own: the description its SVG
-- carries, or else the words of its caption; nil when every image has alt text.
local function alt_for_first_image(block)
  local found
  block:walk({
    Image = function(img)
      if found == nil and not img.attributes["fig-alt"] and not img.attributes["alt"] then
        found = svg_description(img.src) or pandoc.utils.stringify(img.caption)
      end
    end,
  })
  return found
end

-- A block that holds one chart: a code cell, a figure div, a figure or a paragraph.
local function holds_a_chart(b)
  if b.t == "Div" then return b.classes:includes("cell") or b.identifier:match("^fig%-") ~= nil end
  return b.t == "Para" or b.t == "Plain" or b.t == "Figure"
end

local function images_with_alt(blocks)
  local out = pandoc.Blocks({})
  for _, b in ipairs(blocks) do
    local alt = holds_a_chart(b) and alt_for_first_image(b)
    -- An image with neither alt text nor caption stays as it is: Typst then stops the build
    -- and names it, which is what such an image deserves.
    if alt and alt ~= "" then
      out:insert(pandoc.RawBlock("typst", "#[#set image(alt: " .. typst_string(alt) .. ")"))
      out:insert(b)
      out:insert(pandoc.RawBlock("typst", "]"))
    else
      if b.t == "Div" or b.t == "BlockQuote" then
        b.content = images_with_alt(b.content)
      elseif b.t == "BulletList" or b.t == "OrderedList" then
        for i, item in ipairs(b.content) do b.content[i] = images_with_alt(item) end
      end
      out:insert(b)
    end
  end
  return out
end

local function flush_before_section(h)
  if h.level < 2 then return nil end
  return { pandoc.RawBlock("typst", "#place.flush()"), h }
end

return {
  -- callouts first: a heading inside a box titles the box and must stay the first thing in it
  {
    traverse = "topdown",
    Div = function(div)
      for _, cls in ipairs(div.classes) do
        if cls:match("^callout") then return div, false end
      end
    end,
    Header = flush_before_section,
  },
  { Math = equation },
  { Div = styled_callout },
  -- the outermost block holding a chart is wrapped, so the set rule covers that chart alone
  { Pandoc = function(doc) doc.blocks = images_with_alt(doc.blocks); return doc end },
}
