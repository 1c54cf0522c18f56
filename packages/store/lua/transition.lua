--[[
  Compare-and-set transition of one execution: every status change of an execution is this script.
  The caller (Node) decides the new state from what it loaded; this script only applies it when
  the execution is still as loaded, so racing resumes, cancels, timeouts and commits have one winner.

  Input:
    KEYS[1]  execution hash            fg:{<id>}:e
    KEYS[2]  step records hash         the same key today: records are its `s:<path>` fields
    KEYS[3]  answer attempts           fg:{<id>}:r (a list of JSON entries, every wait of the execution)

    ARGV[1]  expected rev: '' = not checked, '0' = the execution must not exist yet (create)
    ARGV[2]  allowed current statuses, comma-separated, '' = not checked
    ARGV[3]  expected waiting step (`s` of the field `wait`, a small JSON object), '' = not checked
    ARGV[4]  n = number of execution field/value pairs that follow
    ARGV[5 .. 4+2n]        execution fields and values ('' deletes the field)
    ARGV[5+2n]             m = number of step-hash field/value pairs that follow
    ARGV[6+2n .. 5+2n+2m]  step-hash fields (`s:<path>`) and values (the record's JSON)
    ARGV[6+2n+2m]          the wait's attempt counter field (`s:<path>#n`): when not '', ARGV[7+2n+2m]
                           is pushed to KEYS[3] and the counter is incremented
    ARGV[7+2n+2m]          the answer entry JSON: {p: path, by, at, accepted, code}
    ARGV[8+2n+2m]          how many entries KEYS[3] keeps (the oldest are trimmed)

  Output:
    {1, newRev, previousStatus}                    applied
    {0, reason, currentStatus, currentRev}         refused; reason: missing | exists | rev | status | step
]]
local execKey = KEYS[1]
local stepsKey = KEYS[2]

local expectedRev = ARGV[1]
local status = redis.call('HGET', execKey, 'status')
local rev = redis.call('HGET', execKey, 'rev')

if expectedRev == '0' then
  if status then return {0, 'exists', status, rev} end
else
  if not status then return {0, 'missing', '', ''} end
  if expectedRev ~= '' and rev ~= expectedRev then return {0, 'rev', status, rev} end
end

local allowed = ARGV[2]
if allowed ~= '' and status then
  local found = false
  for s in string.gmatch(allowed, '[^,]+') do
    if s == status then found = true break end
  end
  if not found then return {0, 'status', status, rev} end
end

if ARGV[3] ~= '' then
  -- read-only decode of Flowgate's own compact JSON: nothing is re-encoded
  local wait = redis.call('HGET', execKey, 'wait')
  if not wait or wait == '' or cjson.decode(wait).s ~= ARGV[3] then
    return {0, 'step', status or '', rev or ''}
  end
end

-- HSETs the `count` field/value pairs that follow ARGV[at] into `key`; returns the index after them.
-- With `dropEmpty`, a field set to '' is deleted instead: an absent field reads as '' (a waiting
-- execution stays in Redis for hours, and an empty field of a large hash costs about 50 bytes).
local function hsetPairs(key, at, dropEmpty)
  local count = tonumber(ARGV[at])
  local fields = {}
  local empty = {}
  for k = 1, count do
    local field, value = ARGV[at + 2 * k - 1], ARGV[at + 2 * k]
    if dropEmpty and value == '' then
      empty[#empty + 1] = field
    else
      fields[#fields + 1] = field
      fields[#fields + 1] = value
    end
  end
  if #fields > 0 then redis.call('HSET', key, unpack(fields)) end
  if #empty > 0 then redis.call('HDEL', key, unpack(empty)) end
  return at + 2 * count + 1
end

local i = hsetPairs(execKey, 4, true)
i = hsetPairs(stepsKey, i)
local counterField = ARGV[i]
if counterField ~= '' then
  redis.call('RPUSH', KEYS[3], ARGV[i + 1])
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[i + 2]), -1)
  redis.call('HINCRBY', stepsKey, counterField, 1)
end

local newRev = redis.call('HINCRBY', execKey, 'rev', 1)
return {1, newRev, status or ''}
