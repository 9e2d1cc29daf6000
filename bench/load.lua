-- bench/load.lua: wrk script for the cross-check of bench/load.sh.
-- Sends the bodies of a file (one JSON body a line, from `load bodies`)
-- in turn, each thread starting at its own place, to the path given.
--
--   wrk -t2 -c32 -d10s --latency -s bench/load.lua http://127.0.0.1:8420 -- BODIES PATH KEY
--
-- Requests are formatted once, in init, so that wrk spends nothing per
-- request but sending them.

local reqs = {}
local n = 0
local i = 0
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local file, path, key = args[1], args[2], args[3]
  local headers = {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }
  for line in io.lines(file) do
    n = n + 1
    reqs[n] = wrk.format("POST", path, headers, line)
  end
  i = ((id or 0) * 997) % n
end

function request()
  i = i % n + 1
  return reqs[i]
end
