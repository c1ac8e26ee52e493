import { RedisScript } from './redis-script';

/*
 * The L2 protocol, in three scripts so each check-and-act is atomic in Redis.
 *
 * Tag versions are invalidation epochs: `invalidate` takes the next value of one global counter and
 * writes it into every tag it touches. A reader notes the counter (e0) before it queries Postgres;
 * its write-back is refused when any of the entry's tags now holds a version above e0, i.e. was
 * invalidated after the read began. That works although an entry's tags come from its result (so
 * are unknown before the query), which per-tag counters read up front could not handle.
 *
 * An entry is stored as one string: a first line with the JSON list of [tag, version] it was written
 * under, then the payload. Reading checks those versions against the current ones in the same
 * script, so a stale entry is never returned. The read script looks up tag keys it finds inside the
 * entry: fine on a single Redis (or Sentinel), not on Redis Cluster, which wants every key declared.
 */

/**
 * KEYS: entry, epoch. ARGV: tag key prefix.
 * Returns {0, epoch} absent, {2, epoch} stale (a tag moved on), {1, epoch, payload, pttl} hit.
 */
export const readEntryScript = new RedisScript(`
local epoch = redis.call('GET', KEYS[2]) or '0'
local raw = redis.call('GET', KEYS[1])
if not raw then return {0, epoch} end
local newline = string.find(raw, '\\n', 1, true)
if not newline then return {0, epoch} end
local ok, versions = pcall(cjson.decode, string.sub(raw, 1, newline - 1))
if not ok then return {0, epoch} end
for _, pair in ipairs(versions) do
  if (redis.call('GET', ARGV[1] .. pair[1]) or '0') ~= pair[2] then return {2, epoch} end
end
return {1, epoch, string.sub(raw, newline + 1), redis.call('PTTL', KEYS[1])}
`);

/**
 * KEYS: entry, epoch, tag keys... ARGV: e0 (the epoch seen before the query), ttl seconds, payload,
 * tag names... (in the order of their keys). Returns 1 stored, 0 refused.
 */
export const writeEntryScript = new RedisScript(`
local e0 = tonumber(ARGV[1])
-- A counter below e0 means Redis lost its data since the read began: invalidations may be lost too.
if tonumber(redis.call('GET', KEYS[2]) or '0') < e0 then return 0 end
local versions = {}
for i = 3, #KEYS do
  local version = redis.call('GET', KEYS[i]) or '0'
  if tonumber(version) > e0 then return 0 end
  versions[#versions + 1] = {ARGV[i + 1], version}
end
redis.call('SET', KEYS[1], cjson.encode(versions) .. '\\n' .. ARGV[3], 'EX', ARGV[2])
return 1
`);

/**
 * KEYS: epoch, tag keys... ARGV: tag ttl seconds, then optionally a channel and a message published
 * once the tags are bumped (in the same script: no reader can get the message before the bump).
 * Returns the new epoch.
 * A missing counter starts from the current time in microseconds, so versions keep growing across a
 * Redis that restarted empty and a write-back begun before the restart cannot match them by chance.
 */
export const invalidateTagsScript = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%06d', tonumber(now[2])))
end
local epoch = string.format('%d', redis.call('INCR', KEYS[1]))
for i = 2, #KEYS do redis.call('SET', KEYS[i], epoch, 'EX', ARGV[1]) end
if ARGV[2] then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return epoch
`);
