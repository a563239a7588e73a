/**
 * The two Lua scripts of the Redis history store. Each runs atomically in
 * Redis, so offsets are handed out, stored and published in one step: every
 * server sees a topic's messages in offset order, and a stored message is
 * in the stream before any server hears of it.
 *
 * Keys per topic: a hash `…meta:{TOPIC}` (`e` the epoch, `o` the last
 * offset) and a stream `…history:{TOPIC}` whose entry IDs are `OFFSET-0`
 * (fields `t` time in ms, `k` `t`ext or `b`inary, `d` the payload), so a
 * replay after offset N is `XRANGE (N-0 +`. The `{…}` hash tag keeps both
 * keys in one Redis Cluster slot.
 *
 * @module
 */

/**
 * Shared by both scripts: make the epoch if the meta hash is gone (a flush,
 * an expiry), and drop entries older than the TTL with `XTRIM MINID` —
 * the stream is in time order, so the oldest entry tells whether to look.
 */
const COMMON = `
local function epoch_of(meta, stream, candidate, meta_ttl)
  local epoch = redis.call('HGET', meta, 'e')
  if epoch then return epoch end
  redis.call('DEL', stream)
  redis.call('HSET', meta, 'e', candidate, 'o', 0)
  if meta_ttl > 0 then redis.call('PEXPIRE', meta, meta_ttl) end
  return candidate
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function trim_old(stream, cutoff)
  local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #oldest == 0 or tonumber(oldest[1][2][2]) >= cutoff then return end
  for _ = 1, 1000 do
    local old = redis.call('XRANGE', stream, '-', '+', 'COUNT', 100)
    if #old == 0 then return end
    for _, e in ipairs(old) do
      if tonumber(e[2][2]) >= cutoff then
        redis.call('XTRIM', stream, 'MINID', e[1])
        return
      end
    end
    local last = tonumber(string.match(old[#old][1], '^(%d+)'))
    redis.call('XTRIM', stream, 'MINID', (last + 1) .. '-0')
  end
end
`;

/**
 * Append: KEYS meta, stream; ARGV epoch candidate, size, ttl ms, meta ttl
 * ms, channel, wire header, kind, body. Returns `{epoch, offset}`.
 */
export const APPEND_SCRIPT: string = COMMON + `
local meta, stream = KEYS[1], KEYS[2]
local ttl, meta_ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local epoch = epoch_of(meta, stream, ARGV[1], meta_ttl)
local o = redis.call('HINCRBY', meta, 'o', 1)
local now = now_ms()
redis.call('XADD', stream, 'MAXLEN', ARGV[2], o .. '-0',
  't', now, 'k', ARGV[7], 'd', ARGV[8])
if ttl > 0 then
  trim_old(stream, now - ttl)
  redis.call('PEXPIRE', stream, ttl)
end
if meta_ttl > 0 then redis.call('PEXPIRE', meta, meta_ttl) end
redis.call('PUBLISH', ARGV[5], ARGV[6] .. epoch .. '\\n' .. o .. '\\n' .. ARGV[8])
return {epoch, o}
`;

/**
 * Read: KEYS meta, stream; ARGV epoch candidate, \`after\` or \`last\`, N,
 * limit, ttl ms, meta ttl ms. Returns `{epoch, head, entries}`.
 */
export const READ_SCRIPT: string = COMMON + `
local meta, stream = KEYS[1], KEYS[2]
local ttl = tonumber(ARGV[5])
local epoch = epoch_of(meta, stream, ARGV[1], tonumber(ARGV[6]))
local head = tonumber(redis.call('HGET', meta, 'o'))
local after = tonumber(ARGV[3])
if ARGV[2] == 'last' then after = math.max(0, head - after) end
if ttl > 0 then trim_old(stream, now_ms() - ttl) end
local entries = {}
if after < head then
  entries = redis.call('XRANGE', stream, '(' .. after .. '-0', '+',
    'COUNT', ARGV[4])
end
return {epoch, head, entries}
`;
