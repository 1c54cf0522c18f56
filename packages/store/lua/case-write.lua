--[[
  Writes to one case atomically. Writes made by workflow steps carry deterministic ids derived
  from `<executionId>/<stepPath>`, so a step that runs twice writes once (docs/semantics.md "Guarantees").

  Input:
    KEYS[1]  case hash        fg:case:{<caseId>}
    KEYS[2]  comments hash    fg:case:{<caseId>}:c   (comment id -> comment JSON)
    ARGV[1]  operation: 'create' | 'comment' | 'status'
    create:  ARGV[2..] field/value pairs of the new case; nothing is written when the case exists
    comment: ARGV[2] comment id, ARGV[3] comment JSON, ARGV[4] updatedAt
    status:  ARGV[2] new status, ARGV[3] updatedAt

  Output:
    {1, <flat case hash>}          written (or, for create, already there: {2, ...})
    {0, 'missing'}                 comment/status on a case that does not exist
]]
local op = ARGV[1]
local exists = redis.call('EXISTS', KEYS[1]) == 1
if op == 'create' then
  if exists then return {2, redis.call('HGETALL', KEYS[1])} end
  local fields = {}
  for i = 2, #ARGV do fields[i - 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(fields))
  return {1, redis.call('HGETALL', KEYS[1])}
end
if not exists then return {0, 'missing'} end
if op == 'comment' then
  if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) == 1 then
    redis.call('HSET', KEYS[1], 'updatedAt', ARGV[4])
    return {1, redis.call('HGETALL', KEYS[1])}
  end
  return {2, redis.call('HGETALL', KEYS[1])}
end
if op == 'status' then
  redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', ARGV[3])
  return {1, redis.call('HGETALL', KEYS[1])}
end
return redis.error_reply('unknown operation ' .. op)
