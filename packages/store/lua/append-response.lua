--[[
  Records one answer attempt that changed nothing (400, 403, 409) on a wait, so that every attempt
  is counted and the latest are kept (docs/semantics.md "Waiting for a human" `responses`). Accepted
  answers are recorded by transition.lua, the same way.

  Input:
    KEYS[1]  execution hash      fg:{<id>}:e (step records are its `s:<path>` fields)
    KEYS[2]  answer attempts     fg:{<id>}:r (a list of JSON entries, every wait of the execution)
    ARGV[1]  the wait's record field, `s:<path>`
    ARGV[2]  the entry JSON: {p: path, by, at, accepted, code}
    ARGV[3]  the wait's attempt counter field, `s:<path>#n`
    ARGV[4]  how many entries the list keeps (the oldest are trimmed)
  Output: 1 when recorded, 0 when that step has no record (the execution is gone, or never had it)
]]
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
return 1
