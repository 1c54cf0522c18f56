--[[
  Sets one field of an execution's hash only while the execution exists: a late writer (a
  notification retried after the retention sweep removed the execution) never brings back a hash
  holding that one field.

  Input:
    KEYS[1]  the execution   <prefix>:{<id>}:e  (hash)
    ARGV[1]  the field
    ARGV[2]  its value
  Output: 1 when set, 0 when the execution is gone
]]
if redis.call('HEXISTS', KEYS[1], 'status') == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
