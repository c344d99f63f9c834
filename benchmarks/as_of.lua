-- wrk script for benchmarks/contract_as_of.py: GET $ACCORD_BENCH_PATH with the API key from
-- $ACCORD_BENCH_KEY; when $ACCORD_BENCH_AS_OF is set, each request asks for the version in force on
-- a random day of the two years from 2026-01-01 (?as_of=YYYY-MM-DD). At the end one JSON line:
-- requests, duration, latency percentiles (microseconds) and errors.
local path = os.getenv("ACCORD_BENCH_PATH")
local spread = os.getenv("ACCORD_BENCH_AS_OF") ~= nil
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCORD_BENCH_KEY")

math.randomseed(os.time())
local days = {}
local first = os.time({ year = 2026, month = 1, day = 1, hour = 12 })
for i = 0, 729 do
  days[i + 1] = os.date("%Y-%m-%d", first + i * 86400)
end

function setup(thread)
  thread:set("seed", math.random(1, 2 ^ 30))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  if spread then
    return wrk.format("GET", path .. "?as_of=" .. days[math.random(#days)])
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
