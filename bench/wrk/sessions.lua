-- Requests spread over many logged-in units: sessions.txt has one "cookie<TAB>csrf<TAB>path<TAB>body" per line.
-- Each request takes the next line; POST bodies get a changing value so every save really writes.
-- Each wrk thread takes its own share of the lines, so two requests never save the same response at the
-- same moment (the app would rightly answer one of them 409: someone else saved in between).
-- A reply whose status is not WRK_EXPECT counts as an error, so a page that quietly redirects (a response
-- that is no longer a draft, a lost session) cannot pass for a fast one.
local lines = {}
local counter = 0
local method = os.getenv("WRK_METHOD") or "GET"
local expect = tonumber(os.getenv("WRK_EXPECT") or "200")
local threads = {}
unexpected = 0

local function load()
  for line in io.lines(os.getenv("WRK_SESSIONS")) do
    local cookie, csrf, path, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)")
    lines[#lines + 1] = { cookie = cookie, csrf = csrf, path = path, body = body }
  end
end

setup = function(thread)
  thread:set("share", #threads)
  table.insert(threads, thread)
end

init = function(args)
  load()
  local mine = {}
  for i, line in ipairs(lines) do
    if (i - 1) % shares_total() == share then
      mine[#mine + 1] = line
    end
  end
  if #mine > 0 then
    lines = mine
  end
  counter = math.random(#lines)
end

function shares_total()
  return tonumber(os.getenv("WRK_THREADS") or "1")
end

request = function()
  counter = counter + 1
  local s = lines[(counter % #lines) + 1]
  local headers = { ["Cookie"] = s.cookie }
  if method == "GET" then
    return wrk.format("GET", s.path, headers)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  local body = "csrf_token=" .. s.csrf .. "&" .. s.body:gsub("__N__", tostring(counter))
  return wrk.format("POST", s.path, headers, body)
end

response = function(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("unexpected")
  end
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "errors": %d, "p50": %.2f, "p95": %.2f, "p99": %.2f, '
    .. '"kinds": "connect %d read %d write %d timeout %d status %d"}\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, errors
      - summary.errors.connect - summary.errors.read - summary.errors.write - summary.errors.timeout))
end
