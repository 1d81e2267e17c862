-- wrk script for benchmarks/load.py: sends one request shape and prints the results as JSON.
--
-- Environment: WRK_METHOD (GET or POST), WRK_BODY_FILE (a JSON body to POST), WRK_COUNT_STATUSES
-- (1 to count every response's status, which costs wrk some speed: used by the safety checks).
-- Every request says "Connection: close", as nginx does towards the app servers it proxies to,
-- so that every server pays for one connection per request (gunicorn's sync workers always do).

wrk.method = os.getenv("WRK_METHOD") or "GET"
wrk.headers["Connection"] = "close"
local body_file = os.getenv("WRK_BODY_FILE")
if body_file and body_file ~= "" then
    local file = assert(io.open(body_file, "rb"))
    wrk.body = file:read("*a")
    file:close()
    wrk.headers["Content-Type"] = "application/json"
end

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

if os.getenv("WRK_COUNT_STATUSES") == "1" then
    statuses = {}
    function response(status, headers, body)
        statuses[status] = (statuses[status] or 0) + 1
    end
end

function done(summary, latency, requests)
    local counts = {}
    for _, thread in ipairs(threads) do
        local seen = thread:get("statuses") or {}
        for status, n in pairs(seen) do
            counts[status] = (counts[status] or 0) + n
        end
    end
    local parts = {}
    for status, n in pairs(counts) do
        table.insert(parts, string.format('"%d": %d', status, n))
    end
    local e = summary.errors
    io.write(string.format(
        'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
            .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
            .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "mean": %.1f, "max": %d}, '
            .. '"statuses": {%s}}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99),
        latency.mean, latency.max,
        table.concat(parts, ", ")
    ))
end
