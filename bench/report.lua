-- wrk script: counts non-2xx responses and prints one JSON line of latency percentiles.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
end

-- BENCH_EXPECT=304 (revalidation runs): a 304 is the expected answer; else a 2xx.
local expect_304 = os.getenv("BENCH_EXPECT") == "304"

function response(status, headers, body)
  local ok = (status >= 200 and status <= 299) or (expect_304 and status == 304)
  if not ok then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local status_errors = 0
  for _, thread in ipairs(threads) do
    status_errors = status_errors + thread:get("errors")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, status_errors,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
