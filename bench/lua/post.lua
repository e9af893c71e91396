-- POST a form to the URL wrk was given. Arguments: the expected status, and a file of
-- requests, one a line: a Cookie header (or "-"), a tab, then the url-encoded body.
-- Each line is sent once; when they run out the last is sent again and counted as replayed,
-- unless a third argument "reuse" says the same request may be sent again and again.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

function init(args)
  expected = tonumber(args[1]) or 200
  good, bad, replayed = 0, 0, 0
  pool = {}
  for line in io.lines(args[2]) do
    local cookie, body = line:match("^([^\t]*)\t(.*)$")
    local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    if cookie ~= "-" then headers["Cookie"] = cookie end
    table.insert(pool, wrk.format("POST", nil, headers, body))
  end
  next_index = 1
  reuse = args[3] == "reuse"
end

function request()
  local index = next_index
  if index > #pool then
    index = #pool
    if not reuse then replayed = replayed + 1 end
  else
    next_index = next_index + 1
  end
  return pool[index]
end

function response(status, headers, body)
  count_response(status)
end
