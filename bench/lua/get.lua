-- GET the URL wrk was given; arguments: the expected status (200 unless given).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

function init(args)
  expected = tonumber(args[1]) or 200
  good, bad, replayed = 0, 0, 0
end

function response(status, headers, body)
  count_response(status)
end
