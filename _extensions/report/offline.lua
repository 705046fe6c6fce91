-- offline.lua: a project post-render script (`project: post-render:` in _quarto.yml) that keeps
-- Quarto's HTML pages free of requests to other sites.
--
-- Quarto adds require.js and jQuery from a CDN to every page that has any text/html cell output
-- (core/jupyter/widgets.ts: it assumes such output may be a JavaScript widget). The figures that
-- report.figures.show() draws are such output, but plain markup that needs neither library; the
-- pages would then fetch two scripts they never use, and an offline reader's browser would fail
-- to. This takes those three tags out of every page that has no Jupyter widget or other use of
-- require.js; a page with one keeps them.

local function output_files()
  local listed = os.getenv("QUARTO_PROJECT_OUTPUT_FILES")
  local files = {}
  if listed ~= nil and listed ~= "" then
    for line in listed:gmatch("[^\n]+") do
      if line:match("%.html$") then files[#files + 1] = line end
    end
    return files
  end
  local dir = os.getenv("QUARTO_PROJECT_OUTPUT_DIR")
  if dir == nil or dir == "" then return files end
  local function walk(path)
    for _, name in ipairs(pandoc.system.list_directory(path)) do
      local full = path .. "/" .. name
      if name:match("%.html$") then
        files[#files + 1] = full
      elseif not name:match("%.") and name ~= "site_libs" then
        local ok = pcall(pandoc.system.list_directory, full)
        if ok then walk(full) end
      end
    end
  end
  walk(dir)
  return files
end

local TAGS = {
  '<script src="https://cdn%.jsdelivr%.net/npm/requirejs@[^"]*"[^>]*></script>\n?',
  '<script src="https://cdn%.jsdelivr%.net/npm/jquery@[^"]*"[^>]*></script>\n?',
  "<script type=\"application/javascript\">define%('jquery', %[%],function%(%) {return window%.jQuery;}%)</script>\n?",
}

local function strip(html)
  if html:find("application/vnd.jupyter.widget", 1, true) or html:find("@jupyter-widgets", 1, true) then
    return html
  end
  local out = html
  for _, pattern in ipairs(TAGS) do out = out:gsub(pattern, "") end
  -- anything else still asking for require.js (a plotly figure, say) needs it: keep the page as it was
  if out:find("require%(") or out:find("requirejs") then return html end
  return out
end

for _, file in ipairs(output_files()) do
  local f = io.open(file, "rb")
  if f ~= nil then
    local html = f:read("a")
    f:close()
    local out = strip(html)
    if out ~= html then
      f = assert(io.open(file, "wb"))
      f:write(out)
      f:close()
    end
  end
end
