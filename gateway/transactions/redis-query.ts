// The Redis log's record reads: one record by id, and filtered keyset pages walked down the order index.
// Filters are checked on the tuple id inside each order member, so records that do not match are never read.
import type { TransactionPage, TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { TUPLE_PART, tuplePart, type TransactionKeys } from './redis-layout.js'
import { parseTransactionQuery } from './store.js'

/** KEYS: ids, log. ARGV: record id. The record's JSON, or nil. */
export const GET_LUA = `
local seq = redis.call('HGET', KEYS[1], ARGV[1])
if not seq then return false end
local entry = redis.call('XRANGE', KEYS[2], seq .. '-0', seq .. '-0')[1]
if entry then return entry[2][2] end
return false
`

/**
 * KEYS: order, log, tuples. ARGV: limit, scan limit, from, to, cursor requestInTs, cursor seq (16
 * digits) — '' when absent — then the number of filters and, per filter, the tuple part (0 for member:
 * either side) and the value as the tuple holds it.
 * Walks the order index newest first by rank (O(log N) to find the start), examining at most `scan
 * limit` members (never fewer than a page). Returns the seq and score to continue after ('' when done), then the records' JSON.
 */
export const QUERY_LUA = `
local order, log, tuples = KEYS[1], KEYS[2], KEYS[3]
local limit = tonumber(ARGV[1])
local budget = math.max(tonumber(ARGV[2]), limit + 1)
local from, to, afterTs, afterSeq = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local filters = {}
for i = 1, tonumber(ARGV[7]) do filters[i] = { tonumber(ARGV[6 + 2 * i]), ARGV[7 + 2 * i] } end

local verdicts = {}
local function matches (tuple)
  if #filters == 0 then return true end
  local verdict = verdicts[tuple]
  if verdict == nil then
    verdict = false
    local text = redis.call('HGET', tuples, tuple)
    if text then
      local parts, pos = {}, 1
      while true do
        local sep = string.find(text, '\\31', pos, true)
        if not sep then
          parts[#parts + 1] = string.sub(text, pos)
          break
        end
        parts[#parts + 1] = string.sub(text, pos, sep - 1)
        pos = sep + 1
      end
      verdict = true
      for _, f in ipairs(filters) do
        local ok
        if f[1] == 0 then ok = parts[${TUPLE_PART.clientMember}] == f[2] or parts[${TUPLE_PART.serviceMember}] == f[2] else ok = parts[f[1]] == f[2] end
        if not ok then
          verdict = false
          break
        end
      end
    end
    verdicts[tuple] = verdict
  end
  return verdict
end

-- Ranks count from the newest: [first, stop) holds what the range and the cursor leave.
local first, stop = 0, redis.call('ZCARD', order)
if to ~= '' then first = redis.call('ZCOUNT', order, to, '+inf') end
if from ~= '' then stop = redis.call('ZCOUNT', order, from, '+inf') end
if afterTs ~= '' then
  -- Among the members at the cursor's timestamp (newest arrival first), the first that arrived before it.
  local lo = redis.call('ZCOUNT', order, '(' .. afterTs, '+inf')
  local hi = lo + redis.call('ZCOUNT', order, afterTs, afterTs)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if string.sub(redis.call('ZREVRANGE', order, mid, mid)[1], 1, 16) < afterSeq then hi = mid else lo = mid + 1 end
  end
  if lo > first then first = lo end
end

local found, scanned, rank = {}, 0, first
local last, lastScore
while rank < stop and #found <= limit and scanned < budget do
  local n = math.min(stop - rank, budget - scanned)
  if #filters == 0 then n = math.min(n, limit + 1 - #found) else n = math.min(n, 1000) end
  local chunk = redis.call('ZREVRANGE', order, rank, rank + n - 1, 'WITHSCORES')
  for j = 1, #chunk, 2 do
    local member = chunk[j]
    scanned = scanned + 1
    rank = rank + 1
    last, lastScore = member, chunk[j + 1]
    if matches(string.sub(member, 18, string.find(member, ':', 18, true) - 1)) then
      found[#found + 1] = { member, chunk[j + 1] }
      if #found > limit then break end
    end
  end
end

local out = { '', '' }
if #found > limit then
  out[1], out[2] = string.sub(found[limit][1], 1, 16), found[limit][2]
elseif rank < stop and last then
  -- The scan limit ran out first: continue after the last member examined, not the last one found.
  out[1], out[2] = string.sub(last, 1, 16), lastScore
end
for j = 1, math.min(#found, limit) do
  local id = string.format('%d', tonumber(string.sub(found[j][1], 1, 16))) .. '-0'
  local entry = redis.call('XRANGE', log, id, id)[1]
  out[#out + 1] = entry and entry[2][2] or false
end
return out
`

export function queryArguments (input: TransactionQuery, keys: TransactionKeys, scanLimit: number): string[] {
  const query = parseTransactionQuery(input)
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 'r')
  const filters: string[] = []
  const filter = (part: number, value: string | number | boolean | undefined): void => {
    if (value !== undefined) filters.push(String(part), tuplePart(value))
  }
  filter(TUPLE_PART.client, query.client)
  filter(TUPLE_PART.service, query.service)
  filter(0, query.member)
  filter(TUPLE_PART.provider, query.provider)
  filter(TUPLE_PART.status, query.status)
  filter(TUPLE_PART.outcome, query.outcome)
  filter(TUPLE_PART.succeeded, query.succeeded)
  const text = (n: number | undefined): string => n === undefined ? '' : String(n)
  return [
    keys.order, keys.log, keys.tuples,
    String(query.limit), String(scanLimit), text(query.from), text(query.to),
    text(after?.ts), after === undefined ? '' : String(after.tie).padStart(16, '0'),
    String(filters.length / 2), ...filters,
  ]
}

export function toPage (reply: Array<string | null>): TransactionPage {
  const [seq, score, ...records] = reply
  const items = records.filter((json): json is string => json !== null).map((json) => JSON.parse(json) as TransactionRecord)
  const nextCursor = seq === '' || seq == null ? null : encodeCursor({ ts: Number(score), tie: Number(seq) }, 'r')
  return { items, nextCursor }
}
