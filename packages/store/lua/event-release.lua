--[[
  One execution that referred to a shared alert event is gone (removed by the retention sweep):
  count it off, and delete the event when no execution refers to it any more.

  Input:
    KEYS[1]  the shared event   fg:ev:<ref>  (hash: `json`, `refs`)
  Output: the executions still referring to it (0: the event was deleted; it was already gone, too)
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local left = redis.call('HINCRBY', KEYS[1], 'refs', -1)
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
return left
