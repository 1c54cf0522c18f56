--[[
  Records one answer attempt that changed nothing (400, 403, 409) on a wait's step record, so that
  every attempt is kept (docs/semantics.md "Waiting for a human" `responses`). Accepted answers are recorded by transition.lua.

  Input:
    KEYS[1]  execution hash      fg:{<id>}:e (step records are its `s:<path>` fields)
    ARGV[1]  the wait's record field, `s:<path>`
    ARGV[2]  response JSON: {by, at, accepted, code}
  Output: 1 when recorded, 0 when that step has no record
]]
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local field = ARGV[1] .. '#r'
local list = redis.call('HGET', KEYS[1], field)
local decoded = {}
if list then decoded = cjson.decode(list) end
table.insert(decoded, cjson.decode(ARGV[2]))
redis.call('HSET', KEYS[1], field, cjson.encode(decoded))
return 1
