-- Settles a batch of requests' reservations with what they used (Switchboard, cluster.redis).
-- For request i (from 0): KEYS[2i+1] the key's TPM cell, KEYS[2i+2] its budget window (the one
-- the request was admitted in); ARGV[4i+1] tokens per minute (0: none), ARGV[4i+2] tokens to
-- give back (estimate - actual; negative takes more), ARGV[4i+3] the reserved estimate, negated
-- (micro-dollars), ARGV[4i+4] the charge (-1: no budget).
-- A budget window that is gone (Redis restarted empty) is not recreated here: the next request
-- seeds it from the ledger.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
for i = 0, #KEYS / 2 - 1 do
  local cell, window = KEYS[2 * i + 1], KEYS[2 * i + 2]
  local tpm = tonumber(ARGV[4 * i + 1])
  local back = tonumber(ARGV[4 * i + 2])
  if tpm > 0 and back ~= 0 then
    local tat = tonumber(redis.call('GET', cell) or '0')
    if tat < now then
      tat = now
    end
    local nextTat = tat - back * (60000000 / tpm)
    if nextTat <= now then
      redis.call('DEL', cell)
    else
      redis.call('SET', cell, string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 1000)
    end
  end
  if tonumber(ARGV[4 * i + 4]) >= 0 and redis.call('EXISTS', window) == 1 then
    redis.call('HINCRBY', window, 'reserved', ARGV[4 * i + 3])
    redis.call('HINCRBY', window, 'spent', ARGV[4 * i + 4])
  end
end
return #KEYS / 2
