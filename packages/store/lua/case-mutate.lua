--[==[
  The writes of Kibana's case catalog (cases.addObservables, cases.addTags, cases.updateCase, ...) on
  one case, atomically: a read-modify-write of a list (tags, assignees) or a bound check (at most N
  observables) cannot race another writer of the same case. All keys share the case's hash tag.

  A write made by a workflow step carries its op key `<executionId>/<stepPath>`: the script records
  it in KEYS[8] and a step that runs again writes nothing (docs/semantics.md "Guarantees").

  Input:
    KEYS[1]  case hash                 fg:case:{<caseId>}
    KEYS[2]  comments hash             fg:case:{<caseId>}:c    comment id -> comment JSON
    KEYS[3]  observables hash          fg:case:{<caseId>}:o    observable id -> observable JSON
    KEYS[4]  observable values hash    fg:case:{<caseId>}:of   sha1(typeKey \n value) -> observable id
    KEYS[5]  alerts hash               fg:case:{<caseId>}:a    alertId -> alert JSON
    KEYS[6]  events hash               fg:case:{<caseId>}:v    eventId -> event JSON
    KEYS[7]  attachments hash          fg:case:{<caseId>}:t    attachment id -> attachment JSON (other types)
    KEYS[8]  op keys hash              fg:case:{<caseId>}:ops  op key -> when it was applied
    KEYS[9]  tombstone string          fg:case:{<caseId>}:del  op key of the step that deleted the case (24 h)
    ARGV[1]  operation: 'set' | 'tags' | 'assignees' | 'customField' | 'attach' | 'observable' | 'unobserve' | 'delete'
    ARGV[2]  op key, or '' (a write from the API: no repeat to recognise)
    ARGV[3]  now, ISO 8601 (updatedAt)
    ARGV[4]  the operation's payload, JSON:
      set:          {fields: {title|description|severity|status|category: string},
                     tags?: [string], assignees?: [uid], customFields?: [[key, entry JSON]]}  (lists replace)
      tags:         {add: [string]} | {remove: [string]}, maxTags
      assignees:    {add: [uid]} | {remove: [uid]} | {clear: true}, maxAssignees
      customField:  {key, entry: entry JSON, maxCustomFields}
      attach:       {comments: [[id, JSON]], alerts: [[alertId, JSON]], events: [[eventId, JSON]],
                     attachments: [[id, JSON]], observables: [[id, typeKey, value, JSON]], limits: {...}}
                    an alert, event, attachment or comment already there is kept; so is an observable
                    of the same typeKey and value
      observable:   {id, value, description?, hasDescription}   (update one observable)
      unobserve:    {id}                                          (delete one observable)
      delete:       {}   deletes every key of the case and leaves the tombstone (with an op key)

  Output:
    {1, <flat case hash>, <index changes JSON>}   written; for delete, the hash as it was
    {2, <flat case hash>, '{}'}                   this op key was applied already: nothing written
    {0, 'missing'}                                no such case (a delete repeated by its own step: {2, {}, '{}'})
    {3, <message>}                                refused: a bound would be passed, or no such observable
  The index changes tell the caller which index entries (outside this hash tag) to add and remove:
  {tagsAdded, tagsRemoved, fpsAdded, fpsRemoved, alertsAdded, alertsRemoved}.
]==]
local op, opKey, now = ARGV[1], ARGV[2], ARGV[3]
local p = cjson.decode(ARGV[4])

-- cjson encodes an empty table as {}: lists stored in the case are written as [] explicitly.
local function encodeList(list)
  if #list == 0 then return '[]' end
  return cjson.encode(list)
end
local function decodeList(text)
  if not text or text == '' then return {} end
  local ok, v = pcall(cjson.decode, text)
  if not ok or type(v) ~= 'table' then return {} end
  return v
end
local function indexOf(list, value)
  for i, v in ipairs(list) do if v == value then return i end end
  return nil
end
-- A copy of `list` with `change.add` appended (each value once) or `change.remove` taken out.
local function changedList(list, change)
  local out = {}
  for _, v in ipairs(list) do table.insert(out, v) end
  if change.add then
    for _, v in ipairs(change.add) do if not indexOf(out, v) then table.insert(out, v) end end
  else
    for _, v in ipairs(change.remove) do
      local i = indexOf(out, v)
      if i then table.remove(out, i) end
    end
  end
  return out
end
local function fingerprint(typeKey, value) return redis.sha1hex(typeKey .. '\n' .. value) end

local exists = redis.call('EXISTS', KEYS[1]) == 1
if not exists then
  if op == 'delete' and opKey ~= '' and redis.call('GET', KEYS[9]) == opKey then return {2, {}, '{}'} end
  return {0, 'missing'}
end
if opKey ~= '' and redis.call('HEXISTS', KEYS[8], opKey) == 1 then
  return {2, redis.call('HGETALL', KEYS[1]), '{}'}
end

local changes = { tagsAdded = {}, tagsRemoved = {}, fpsAdded = {}, fpsRemoved = {}, alertsAdded = {}, alertsRemoved = {} }

-- Replaces the tag list, noting what the tag index must gain and lose.
local function writeTags(old, new)
  for _, t in ipairs(new) do if not indexOf(old, t) then table.insert(changes.tagsAdded, t) end end
  for _, t in ipairs(old) do if not indexOf(new, t) then table.insert(changes.tagsRemoved, t) end end
  redis.call('HSET', KEYS[1], 'tags', encodeList(new))
end

local function customFieldCount()
  local n = 0
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(f, 1, 3) == 'cf:' then n = n + 1 end
  end
  return n
end

if op == 'set' then
  for name, value in pairs(p.fields or {}) do
    redis.call('HSET', KEYS[1], name, value)
    if name == 'status' then
      if value == 'closed' then redis.call('HSET', KEYS[1], 'closedAt', now) else redis.call('HDEL', KEYS[1], 'closedAt') end
    end
  end
  if p.tags then writeTags(decodeList(redis.call('HGET', KEYS[1], 'tags')), p.tags) end
  if p.assignees then redis.call('HSET', KEYS[1], 'assignees', encodeList(p.assignees)) end
  if p.customFields then
    for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
      if string.sub(f, 1, 3) == 'cf:' then redis.call('HDEL', KEYS[1], f) end
    end
    for _, pair in ipairs(p.customFields) do redis.call('HSET', KEYS[1], 'cf:' .. pair[1], pair[2]) end
  end
elseif op == 'tags' then
  local old = decodeList(redis.call('HGET', KEYS[1], 'tags'))
  local new = changedList(old, p)
  if p.add and #new > p.maxTags then return {3, 'a case holds at most ' .. p.maxTags .. ' tags; this would make ' .. #new} end
  writeTags(old, new)
elseif op == 'assignees' then
  local list = {}
  if not p.clear then list = changedList(decodeList(redis.call('HGET', KEYS[1], 'assignees')), p) end
  if p.add and #list > p.maxAssignees then return {3, 'a case has at most ' .. p.maxAssignees .. ' assignees; this would make ' .. #list} end
  redis.call('HSET', KEYS[1], 'assignees', encodeList(list))
elseif op == 'customField' then
  local field = 'cf:' .. p.key
  if redis.call('HEXISTS', KEYS[1], field) == 0 and customFieldCount() >= p.maxCustomFields then
    return {3, 'a case has at most ' .. p.maxCustomFields .. ' custom fields'}
  end
  redis.call('HSET', KEYS[1], field, p.entry)
elseif op == 'attach' then
  local limits = p.limits
  -- Count what is new first: a batch that would pass a bound writes nothing.
  local function fresh(key, items)
    local out = {}
    for _, item in ipairs(items or {}) do
      if redis.call('HEXISTS', key, item[1]) == 0 then table.insert(out, item) end
    end
    return out
  end
  local function check(key, items, limit, what)
    if #items > 0 and redis.call('HLEN', key) + #items > limit then
      return 'a case holds at most ' .. limit .. ' ' .. what .. '; it has ' .. redis.call('HLEN', key) .. ' and ' .. #items .. ' more were given'
    end
    return nil
  end
  local comments = fresh(KEYS[2], p.comments)
  local alerts = fresh(KEYS[5], p.alerts)
  local events = fresh(KEYS[6], p.events)
  local attachments = fresh(KEYS[7], p.attachments)
  local observables, seen = {}, {}
  for _, o in ipairs(p.observables or {}) do
    local fp = fingerprint(o[2], o[3])
    if not seen[fp] and redis.call('HEXISTS', KEYS[4], fp) == 0 then
      seen[fp] = true
      table.insert(observables, { o[1], fp, o[4] })
    end
  end
  local refused = check(KEYS[5], alerts, limits.alerts, 'alerts')
    or check(KEYS[6], events, limits.events, 'events')
    or check(KEYS[7], attachments, limits.attachments, 'attachments')
    or check(KEYS[3], observables, limits.observables, 'observables')
  if refused then return {3, refused} end
  for _, c in ipairs(comments) do redis.call('HSET', KEYS[2], c[1], c[2]) end
  for _, a in ipairs(alerts) do
    redis.call('HSET', KEYS[5], a[1], a[2])
    table.insert(changes.alertsAdded, a[1])
  end
  for _, e in ipairs(events) do redis.call('HSET', KEYS[6], e[1], e[2]) end
  for _, t in ipairs(attachments) do redis.call('HSET', KEYS[7], t[1], t[2]) end
  for _, o in ipairs(observables) do
    redis.call('HSET', KEYS[3], o[1], o[3])
    redis.call('HSET', KEYS[4], o[2], o[1])
    table.insert(changes.fpsAdded, o[2])
  end
elseif op == 'observable' or op == 'unobserve' then
  local text = redis.call('HGET', KEYS[3], p.id)
  if not text then return {3, 'the case has no observable "' .. p.id .. '"'} end
  local o = cjson.decode(text)
  local oldFp = fingerprint(o.typeKey, o.value)
  if op == 'unobserve' then
    redis.call('HDEL', KEYS[3], p.id)
    redis.call('HDEL', KEYS[4], oldFp)
    table.insert(changes.fpsRemoved, oldFp)
  else
    local newFp = fingerprint(o.typeKey, p.value)
    if newFp ~= oldFp then
      if redis.call('HEXISTS', KEYS[4], newFp) == 1 then
        return {3, 'the case already has an observable of type "' .. o.typeKey .. '" with this value'}
      end
      redis.call('HDEL', KEYS[4], oldFp)
      redis.call('HSET', KEYS[4], newFp, p.id)
      table.insert(changes.fpsRemoved, oldFp)
      table.insert(changes.fpsAdded, newFp)
    end
    o.value = p.value
    if p.hasDescription then o.description = p.description end
    o.updatedAt = now
    redis.call('HSET', KEYS[3], p.id, cjson.encode(o))
  end
elseif op == 'delete' then
  local before = redis.call('HGETALL', KEYS[1])
  changes.tagsRemoved = decodeList(redis.call('HGET', KEYS[1], 'tags'))
  changes.fpsRemoved = redis.call('HKEYS', KEYS[4])
  changes.alertsRemoved = redis.call('HKEYS', KEYS[5])
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])
  if opKey ~= '' then redis.call('SET', KEYS[9], opKey, 'EX', 86400) end
  return {1, before, cjson.encode(changes)}
else
  return redis.error_reply('unknown operation ' .. op)
end

redis.call('HSET', KEYS[1], 'updatedAt', now)
if opKey ~= '' then redis.call('HSET', KEYS[8], opKey, now) end
return {1, redis.call('HGETALL', KEYS[1]), cjson.encode(changes)}
