--[[
  Links an execution to the one that re-runs it: appends the new id to the old execution's `rr`
  (a JSON array, the latest ARGV[2] kept). Only while the old execution exists (retention may have
  removed it meanwhile: the new one keeps its `ro` link either way).

  Input:
    KEYS[1]  the re-run execution   <prefix>:{<id>}:e  (hash)
    ARGV[1]  the new execution's id
    ARGV[2]  how many links to keep
  Output: the number of links now, 0 when the execution is gone
]]
if redis.call('HEXISTS', KEYS[1], 'status') == 0 then return 0 end
local raw = redis.call('HGET', KEYS[1], 'rr')
local list = {}
if raw and raw ~= '' then list = cjson.decode(raw) end
table.insert(list, ARGV[1])
local keep = tonumber(ARGV[2])
while #list > keep do table.remove(list, 1) end
redis.call('HSET', KEYS[1], 'rr', cjson.encode(list))
return #list
