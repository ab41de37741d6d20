-- Settles one request's reservations with what it used (Switchboard, cluster.redis).
-- KEYS[1] the key's TPM cell, KEYS[2] its budget window (the one the request was admitted in).
-- ARGV[1] tokens per minute (0: none)   ARGV[2] tokens to give back (estimate - actual; negative takes more)
-- ARGV[3] the reserved estimate, negated (micro-dollars)   ARGV[4] the charge (-1: no budget)
-- A budget window that is gone (Redis restarted empty) is not recreated here: the next request
-- seeds it from the ledger.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tpm = tonumber(ARGV[1])
local back = tonumber(ARGV[2])
if tpm > 0 and back ~= 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tat < now then
    tat = now
  end
  local nextTat = tat - back * (60000000 / tpm)
  if nextTat <= now then
    redis.call('DEL', KEYS[1])
  else
    redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 1000)
  end
end
if tonumber(ARGV[4]) >= 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'reserved', ARGV[3])
  redis.call('HINCRBY', KEYS[2], 'spent', ARGV[4])
end
return 1
