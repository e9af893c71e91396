-- Shared by the bench's wrk scripts: count the responses with the expected status, and print
-- one JSON line, prefixed with BENCH, that bench/loadgen.py reads.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function count_response(status)
  if status == expected then good = good + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local good_total, bad_total, replayed_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    replayed_total = replayed_total + (thread:get("replayed") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "expected": %d, "unexpected": %d, "replayed": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, good_total, bad_total, replayed_total,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
