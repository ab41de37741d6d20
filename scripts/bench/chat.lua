-- wrk script: POST a typical chat request and print a machine-readable summary.
-- MODEL (environment) sets the "model" field: the gateway routes on it, nginx ignores it.
local model = os.getenv("MODEL") or "fast/bench-model"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- AUTH (environment), when set, is sent as a gateway key: Authorization: Bearer AUTH.
local auth = os.getenv("AUTH")
if auth and auth ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. auth
end
-- HEADERS (environment), when set, adds request headers, one "Name: value" a line (a peer
-- gateway's routing headers, for instance).
local headers = os.getenv("HEADERS")
if headers then
    for name, value in headers:gmatch("([^:\n]+):%s*([^\n]*)") do
        wrk.headers[name] = value
    end
end
wrk.body = '{"model":"' .. model .. '","messages":[' ..
    '{"role":"system","content":"You are a concise assistant. Answer in one sentence."},' ..
    '{"role":"user","content":"What does an LLM gateway add to each request, and how would you measure it?"}],' ..
    '"temperature":0.2,"max_tokens":64,"user":"bench"}'

-- One line the driver parses: latencies in microseconds (wrk measures from write to last byte).
function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d seconds=%.3f rps=%.1f p50=%d p90=%d p99=%d p999=%d max=%d mean=%.1f " ..
        "errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
        latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
