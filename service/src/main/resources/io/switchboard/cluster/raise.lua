-- Raises a budget window's spend to what the ledger in the database says, when the ledger knows
-- more (the window was started from one instance's view). KEYS[1] the window; ARGV[1] the ledger's spend.
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('HGET', KEYS[1], 'spent')) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'spent', ARGV[1])
  return 1
end
return 0
