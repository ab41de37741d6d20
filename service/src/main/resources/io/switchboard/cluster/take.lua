-- Takes every limit of one request, all or nothing (Switchboard, cluster.redis).
-- KEYS[1] the key's RPM cell, KEYS[2] its TPM cell, KEYS[3] its budget window (a hash: spent, reserved).
-- ARGV[1] requests per minute (0: none)      ARGV[2] tokens per minute (0: none)
-- ARGV[3] the token estimate                 ARGV[4] the budget in micro-dollars (-1: none)
-- ARGV[5] the cost estimate (micro-dollars)  ARGV[6] the spend to start a missing window from
-- ARGV[7] seconds the window's hash lives (0: for ever)
-- RPM and TPM are GCRA cells: each holds a theoretical arrival time in microseconds of Redis's
-- own clock (TIME), so every instance reads the same clock. A cell never holds more than one
-- minute of allowance: a key may burst a whole minute's limit, then is spaced evenly.
-- Reply: {status, rpm remaining, rpm reset (us), retry after (us), spent, reserved, seeded}
-- with status 0 admitted, 1 requests refused, 2 tokens refused, 3 budget refused.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local minute = 60000000
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local limit = tonumber(ARGV[4])

local function arrival(key)
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then
    return now
  end
  return tat
end

local rpmNext, tpmNext
local remaining, reset = -1, 0
if rpm > 0 then
  local interval = minute / rpm
  local tat = arrival(KEYS[1])
  local nextTat = tat + interval
  if nextTat - now > minute then
    return {1, 0, math.floor(tat - now), math.floor(nextTat - now - minute), 0, 0, 0}
  end
  rpmNext = nextTat
  remaining = math.floor((minute - (nextTat - now)) / interval)
  reset = math.floor(nextTat - now)
end
if tpm > 0 then
  local take = math.min(tonumber(ARGV[3]), tpm)
  local nextTat = arrival(KEYS[2]) + take * (minute / tpm)
  if nextTat - now > minute then
    return {2, 0, 0, math.floor(nextTat - now - minute), 0, 0, 0}
  end
  tpmNext = nextTat
end
local seeded = 0
if limit >= 0 then
  if redis.call('EXISTS', KEYS[3]) == 0 then
    redis.call('HSET', KEYS[3], 'spent', ARGV[6], 'reserved', '0')
    if tonumber(ARGV[7]) > 0 then
      redis.call('EXPIRE', KEYS[3], ARGV[7])
    end
    seeded = 1
  end
  local spent = tonumber(redis.call('HGET', KEYS[3], 'spent'))
  local reserved = tonumber(redis.call('HGET', KEYS[3], 'reserved'))
  if spent + reserved >= limit then
    return {3, 0, 0, 0, spent, reserved, seeded}
  end
  redis.call('HINCRBY', KEYS[3], 'reserved', ARGV[5])
end
if rpmNext then
  redis.call('SET', KEYS[1], string.format('%.0f', rpmNext), 'PX', math.ceil((rpmNext - now) / 1000) + 1000)
end
if tpmNext then
  redis.call('SET', KEYS[2], string.format('%.0f', tpmNext), 'PX', math.ceil((tpmNext - now) / 1000) + 1000)
end
return {0, remaining, reset, 0, 0, 0, seeded}
