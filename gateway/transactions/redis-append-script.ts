// The Redis side of an append: one Lua script per batch, atomic. It checks the ids, numbers and stores
// the records, folds the batch's rollup rows into the stored ones (one HMGET and one HSET per rollup
// key), and applies retention to rows and rollups. redis-append.ts prepares its arguments.
import { TUPLE_GENERATION } from './redis-layout.js'

/**
 * KEYS: log, ids, order, meta, tuples, tuple-ids. ARGV: key base, max rows, minute and hour retention,
 * the numbers of tuples, records and rollup keys; the tuple texts; per record its id, requestInTs,
 * tuple (by client) and JSON; per rollup key its view, level, start and number of rows, then per row
 * its tuple, count, succeeded, sumMs, maxMs and histogram.
 * Returns the number of records added; or, adding nothing, the ids already stored (a replay): the
 * caller sends the batch again without them, so that a batch of new records needs one round trip.
 */
export const APPEND_LUA = `
local log, ids, order, meta, tuples, tupleIds = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local base, maxRows = ARGV[1], tonumber(ARGV[2])
local retention = { ['0'] = tonumber(ARGV[3]), ['1'] = tonumber(ARGV[4]) }
local nTuples, nRecords, nKeys = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local tupleAt = 7
local recordAt = tupleAt + nTuples
local CHUNK = 4000 -- arguments per variadic call: Lua's stack takes 8000

local function fmt (n) return string.format('%.0f', n) end
local function variadic (command, key, args)
  for i = 1, #args, CHUNK do redis.call(command, key, unpack(args, i, math.min(i + CHUNK - 1, #args))) end
end
local function hmget (key, fields)
  local out = {}
  for i = 1, #fields, CHUNK do
    local part = redis.call('HMGET', key, unpack(fields, i, math.min(i + CHUNK - 1, #fields)))
    for j = 1, #part do out[i + j - 1] = part[j] end
  end
  return out
end

do
  local batchIds = {}
  for i = 1, nRecords do batchIds[i] = ARGV[recordAt + (i - 1) * 4 + 1] end
  local stored = hmget(ids, batchIds)
  local known = {}
  for i = 1, nRecords do if stored[i] then known[#known + 1] = batchIds[i] end end
  if #known > 0 then return known end
end

local seq = redis.call('HGET', meta, 'seq')
if seq then
  seq = tonumber(seq)
else
  -- meta was lost but not the log: continue after its last id, as XADD demands.
  seq = 0
  if redis.call('EXISTS', log) == 1 then
    local info = redis.call('XINFO', 'STREAM', log)
    for i = 1, #info, 2 do
      if info[i] == 'last-generated-id' then seq = tonumber(string.match(info[i + 1], '^(%d+)')) end
    end
  end
end

local tupleIdOf = {}
local function intern (index)
  local id = tupleIdOf[index]
  if id == nil then
    local text = ARGV[tupleAt + index]
    id = redis.call('HGET', tupleIds, text)
    if not id then
      -- The hash's generation: ids count up again from 1 after Redis lost its data, and a replica
      -- that cached the old ids must tell (redis-store.ts). Set with the first tuple.
      if redis.call('HEXISTS', tuples, '${TUPLE_GENERATION}') == 0 then
        redis.call('HSET', tuples, '${TUPLE_GENERATION}', table.concat(redis.call('TIME'), '.'))
      end
      -- Tuples are never deleted, so ids run up one by one (the generation field takes a number too).
      id = tostring(redis.call('HLEN', tuples) + 1)
      redis.call('HSET', tupleIds, text, id)
      redis.call('HSET', tuples, id, text)
    end
    tupleIdOf[index] = id
  end
  return id
end

local idArgs, orderArgs = {}, {}
for i = 1, nRecords do
  local r = recordAt + (i - 1) * 4
  seq = seq + 1
  local s = string.format('%d', seq)
  redis.call('XADD', log, s .. '-0', 'record', ARGV[r + 4])
  idArgs[2 * i - 1], idArgs[2 * i] = ARGV[r + 1], s
  orderArgs[2 * i - 1] = ARGV[r + 2]
  orderArgs[2 * i] = string.format('%016d', seq) .. ':' .. intern(tonumber(ARGV[r + 3])) .. ':' .. ARGV[r + 1]
end
redis.call('HSET', meta, 'seq', string.format('%d', seq))
variadic('HSET', ids, idArgs)
variadic('ZADD', order, orderArgs)

-- Histograms (histogram.ts's text) add up by concatenation; once a row's text doubles, its pairs are
-- folded into one per bucket. Memoized both ways: buckets and small counts repeat.
local texts, numbers = {}, {}
local function digits (n)
  local s = texts[n]
  if s == nil then
    local v = n
    s = ''
    while v >= 32 do
      s = s .. string.char(80 + v % 32)
      v = math.floor(v / 32)
    end
    s = s .. string.char(48 + v)
    if n < 4096 then texts[n] = s end
  end
  return s
end
local function number (s)
  local n = numbers[s]
  if n == nil then
    n = 0
    local scale = 1
    for k = 1, #s do
      local code = string.byte(s, k)
      if code >= 80 then n = n + (code - 80) * scale else n = n + (code - 48) * scale end
      scale = scale * 32
    end
    numbers[s] = n
  end
  return n
end
local function compact (s)
  local counts, parts = {}, {}
  for b, c in string.gmatch(s, '([P-o]*[0-O])([P-o]*[0-O])') do
    local bucket = number(b)
    counts[bucket] = (counts[bucket] or 0) + number(c)
  end
  for bucket, count in pairs(counts) do
    parts[#parts + 1] = digits(bucket)
    parts[#parts + 1] = digits(count)
  end
  return table.concat(parts)
end

-- One HMGET and one HSET per rollup key (view, level, start): O(keys) calls, O(rows) work.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local p = recordAt + nRecords * 4 + 1
for _ = 1, nKeys do
  local level, start, n = ARGV[p + 1], ARGV[p + 2], tonumber(ARGV[p + 3])
  local scope = ARGV[p] .. ':' .. level
  local key = base .. 'rollup:' .. scope .. ':' .. start
  local fields, values = {}, {}
  for j = 1, n do fields[j] = intern(tonumber(ARGV[p + 4 + (j - 1) * 6])) end
  local olds = hmget(key, fields)
  for j = 1, n do
    local q = p + 4 + (j - 1) * 6
    local h = ARGV[q + 5]
    local value
    if olds[j] then
      local c, s, m, x, l, oh = string.match(olds[j], '^(%d+),(%d+),(%d+),(%d+),(%d+),(.*)$')
      local folded = tonumber(l)
      h = oh .. h
      if #h > 2 * folded + 64 then
        h = compact(h)
        folded = #h
      end
      value = fmt(c + ARGV[q + 1]) .. ',' .. fmt(s + ARGV[q + 2]) .. ',' .. fmt(m + ARGV[q + 3]) .. ',' .. fmt(math.max(tonumber(x), tonumber(ARGV[q + 4]))) .. ',' .. folded .. ',' .. h
    else
      value = ARGV[q + 1] .. ',' .. ARGV[q + 2] .. ',' .. ARGV[q + 3] .. ',' .. ARGV[q + 4] .. ',' .. #h .. ',' .. h
    end
    values[2 * j - 1], values[2 * j] = fields[j], value
  end
  variadic('HSET', key, values)
  redis.call('ZADD', base .. 'starts:' .. scope, start, start)
  if level ~= '2' then redis.call('ZADD', base .. 'touched:' .. scope, fmt(now), start) end
  p = p + 4 + 6 * n
end

-- Retention of rows: the oldest by requestInTs (then arrival) leave the log, the id index and the order.
local excess = redis.call('XLEN', log) - maxRows
while excess > 0 do
  local k = math.min(excess, 1000)
  local oldest = redis.call('ZRANGE', order, 0, k - 1)
  local entries, oldIds = {}, {}
  for j, member in ipairs(oldest) do
    entries[j] = string.format('%d', tonumber(string.sub(member, 1, 16))) .. '-0'
    oldIds[j] = string.sub(member, string.find(member, ':', 18, true) + 1)
  end
  redis.call('XDEL', log, unpack(entries))
  redis.call('HDEL', ids, unpack(oldIds))
  redis.call('ZREMRANGEBYRANK', order, 0, k - 1)
  excess = excess - k
end

-- Retention of rollups: minute and hour rows not written for their retention go, a few per append.
for view = 0, 1 do
  for level = 0, 1 do
    local scope = view .. ':' .. level
    local stale = redis.call('ZRANGEBYSCORE', base .. 'touched:' .. scope, '-inf', '(' .. fmt(now - retention[tostring(level)]), 'LIMIT', 0, 100)
    if #stale > 0 then
      local newest = tonumber(redis.call('HGET', meta, 'pruned:' .. scope) or '-1')
      local newestText = nil
      for _, start in ipairs(stale) do
        redis.call('UNLINK', base .. 'rollup:' .. scope .. ':' .. start)
        if tonumber(start) > newest then
          newest = tonumber(start)
          newestText = start
        end
      end
      redis.call('ZREM', base .. 'starts:' .. scope, unpack(stale))
      redis.call('ZREM', base .. 'touched:' .. scope, unpack(stale))
      if newestText then redis.call('HSET', meta, 'pruned:' .. scope, newestText) end
    end
  end
end
return nRecords
`
