-- wrk script of `make bench` (scripts/bench_load.py writes its request list and reads what done() prints).
--
--   wrk -t2 -c8 -d30s -s scripts/bench.lua http://127.0.0.1:PORT -- requests.tsv
--
-- requests.tsv: one request a line, "path<TAB>sessionid", in the order of the mix. Each thread rotates
-- through the list from its own offset, so the connections do not all ask for the same page at once.
-- Every request says it came through the TLS proxy (X-Forwarded-Proto: https, the production settings'
-- SECURE_PROXY_SSL_HEADER), so the production settings' HTTPS redirect does not answer instead of the page.
-- Every page of the mix answers 200 when all is well: any other status is counted (a lost session shows up
-- as a 302 to the sign-in page, which wrk itself would not call an error).

local threads = {}
local counter = 1

function setup(thread)
    thread:set("thread_index", #threads)
    table.insert(threads, thread)
end

local requests = {}
not_ok = 0

function init(args)
    for line in io.lines(args[1]) do
        local path, session = line:match("^(%S+)\t(%S+)$")
        if path then
            requests[#requests + 1] = wrk.format("GET", path, {
                ["Host"] = "127.0.0.1",
                ["Cookie"] = "sessionid=" .. session,
                ["X-Forwarded-Proto"] = "https",
            })
        end
    end
    counter = (thread_index * 7) % #requests + 1
end

function request()
    local r = requests[counter]
    counter = counter % #requests + 1
    return r
end

function response(status, headers, body)
    if status ~= 200 then
        not_ok = not_ok + 1
    end
end

function done(summary, latency, requests_)
    local others = 0
    for _, thread in ipairs(threads) do
        others = others + thread:get("not_ok")
    end
    local e = summary.errors
    io.write(string.format(
        'BENCH-RESULT {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
            .. '"status": %d, "timeout": %d, "not_200": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, '
            .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
        summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, others,
        latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
        latency.max, latency.mean
    ))
end
