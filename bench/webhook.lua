-- wrk script: POST one real, signed GitHub payload with a unique
-- X-GitHub-Delivery per request (the signature covers the body only, so
-- the same signature stays valid). BODY_FILE and SIGNATURE come from the
-- environment, set by bench/webhook.sh.
local body_file = os.getenv("BODY_FILE")
local signature = os.getenv("SIGNATURE")
local file = assert(io.open(body_file, "rb"))
local body = file:read("*a")
file:close()

local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-GitHub-Event"] = "pull_request"
  wrk.headers["X-Hub-Signature-256"] = signature
  wrk.headers["User-Agent"] = "GitHub-Hookshot/bench"
end

-- RATE (requests/s over all connections) paces the load; unset: as fast as possible.
local rate = tonumber(os.getenv("RATE") or "")
local connections = tonumber(os.getenv("CONNECTIONS") or "1")

function delay()
  if rate then
    return connections * 1000 / rate
  end
  return 0
end

function request()
  counter = counter + 1
  wrk.headers["X-GitHub-Delivery"] = string.format("bench-%d-%d-%d", os.time(), tid, counter)
  return wrk.format()
end

function done(summary, latency, requests)
  io.write(string.format("requests=%d errors_status=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f rps=%.1f\n",
    summary.requests, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6)))
end
