-- wrk script of the performance harness: POST /api/tasks as one user, then one result line.
local token = os.getenv("PERF_TOKEN") or ""
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/tasks",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
    '{"title":"perf ' .. counter .. '","description":"a task of the performance harness"}')
end

-- requests, duration (us), p50, p99, p99.9 (ms), non-2xx/3xx and socket errors
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT %d %d %.3f %.3f %.3f %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout))
end
