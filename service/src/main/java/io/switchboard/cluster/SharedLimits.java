package io.switchboard.cluster;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import io.switchboard.auth.RateLimitDecision;
import io.switchboard.auth.RateLimitFilter;
import io.switchboard.usage.Admission;
import io.switchboard.usage.Budget;
import io.switchboard.usage.BudgetBook;
import io.switchboard.usage.CallLimits;
import io.switchboard.usage.LimitRefusals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The per-call limits of every instance at once, in Redis: one script per request ({@code
 * take.lua}) takes the key's requests per minute, its tokens-per-minute reservation and its
 * budget reservation together, all or nothing, on Redis's clock. After the call its settlement
 * (the estimates replaced by what was used) is queued and sent without waiting, batched: one
 * {@code settle.lua} carries everything that settled while the previous batch was in Redis.
 *
 * <p>A budget's counter is one hash per key and window, {@code sb:{key}:budget:<window start>},
 * holding micro-dollars as integers. A window that is missing (the first request of a window, or
 * Redis restarted empty) starts from this instance's book (the ledger's spend when the instance
 * started plus what it charged since), and is then raised to the ledger's spend read from the
 * database off the request path ({@code raise.lua}). The book is kept current with every charge,
 * so it can take over.
 *
 * <p>When Redis does not answer within {@code cluster.redis.timeout} the request meets the
 * failure policy: {@code open} takes this instance's own limits ({@code local}); {@code closed}
 * refuses with a 503 in OpenAI's shape.
 */
public final class SharedLimits implements CallLimits {

    private static final Logger LOG = LoggerFactory.getLogger(SharedLimits.class);
    private static final RedisLink.Script TAKE = RedisLink.Script.load("take.lua");
    private static final RedisLink.Script SETTLE = RedisLink.Script.load("settle.lua");
    private static final RedisLink.Script RAISE = RedisLink.Script.load("raise.lua");
    /** A window's hash outlives its window by a day, so late settlements still find it. */
    private static final Duration WINDOW_GRACE = Duration.ofDays(1);
    /** Settlements in one script, at most. */
    private static final int MAX_BATCH = 256;
    /** Settlements kept while Redis is unreachable, to be sent when it is back; more are dropped. */
    static final int MAX_HELD = 100_000;
    /** How often settlements held while Redis is unreachable are tried again. */
    static final Duration HELD_RETRY = Duration.ofSeconds(1);

    /** The ledger's spend of a key since a moment (epoch milliseconds), read from the database. */
    @FunctionalInterface
    public interface LedgerSpend {
        long since(String keyId, long fromMillis);
    }

    private final RedisLink redis;
    private final CallLimits local;
    private final BudgetBook book;
    private final LedgerSpend ledger;
    private final Executor background;
    private final AtomicBoolean warned = new AtomicBoolean();
    /** Settlements waiting to be sent: {tpm cell, budget window, tpm, give back, -estimate, charge}. */
    private final Queue<String[]> settlements = new ConcurrentLinkedQueue<>();

    private final AtomicBoolean sending = new AtomicBoolean();
    /** Set while held settlements wait for their retry: new ones queue behind them meanwhile. */
    private final AtomicBoolean retrying = new AtomicBoolean();

    /**
     * @param local      this instance's limits, for the failure policy {@code open}
     * @param book       this instance's budget book (the one {@code local} uses), kept current
     * @param ledger     the ledger's spend, read on {@code background} (it may block)
     */
    public SharedLimits(RedisLink redis, CallLimits local, BudgetBook book, LedgerSpend ledger, Executor background) {
        this.redis = redis;
        this.local = local;
        this.book = book;
        this.ledger = ledger;
        this.background = background;
    }

    @Override
    public Hold take(Ask ask) {
        if (ask.isEmpty()) {
            return Hold.NONE;
        }
        String budgetKey = ask.budget() == null ? "" : budgetKey(ask.keyId(), ask.budget(), ask.now());
        String[] keys = {rpmKey(ask.keyId()), tpmKey(ask.keyId()), budgetKey};
        long seed = ask.budget() == null
                ? 0
                : book.status(ask.keyId(), ask.budget(), ask.now()).spentMicros();
        List<Object> reply;
        var late = new LateAdmission(ask, keys);
        try {
            reply = redis.call(
                    "take",
                    TAKE,
                    keys,
                    late::answered,
                    Integer.toString(Math.max(0, ask.requestsPerMinute())),
                    Integer.toString(Math.max(0, ask.tokensPerMinute())),
                    Long.toString(Math.max(0, ask.tokenEstimate())),
                    ask.budget() == null ? "-1" : Long.toString(ask.budget().limitMicros()),
                    Long.toString(ask.costEstimateMicros()),
                    Long.toString(seed),
                    Long.toString(ask.budget() == null ? 0 : windowSeconds(ask.budget(), ask.now())));
        } catch (RedisLink.RedisUnavailable e) {
            return fallBack(ask, e, late);
        }
        noteAnswered();
        long status = number(reply, 0);
        if (number(reply, 6) == 1 && ask.budget() != null) {
            raiseFromLedger(ask.keyId(), ask.budget(), ask.now(), budgetKey);
        }
        if (status == 1) {
            int limit = ask.requestsPerMinute();
            throw RateLimitFilter.tooManyRequests(
                    new RateLimitDecision(false, limit, 0, number(reply, 2) * 1000, number(reply, 3) * 1000));
        }
        if (status == 2) {
            throw LimitRefusals.tokensExceeded(ask.tokensPerMinute(), ask.tokenEstimate(), number(reply, 3) * 1000);
        }
        if (status == 3) {
            var period = ask.budget().period();
            throw LimitRefusals.quotaExceeded(
                    new Admission.Refused(
                            ask.keyId(), ask.budget(), number(reply, 4), number(reply, 5), period.nextReset(ask.now())),
                    ask.now());
        }
        var headers = ask.requestsPerMinute() > 0
                ? RateLimitFilter.headers(new RateLimitDecision(
                        true, ask.requestsPerMinute(), (int) Math.max(0, number(reply, 1)), number(reply, 2) * 1000, 0))
                : Map.<String, String>of();
        return new Shared(ask, keys, headers);
    }

    /**
     * Queues the settlement of a request Redis admitted; it goes with the next batch.
     */
    private void queueSettlement(Ask ask, String[] keys, long actualTokens, OptionalLong costMicros) {
        long estimate = Math.min(ask.tokenEstimate(), Math.max(0, ask.tokensPerMinute()));
        long giveBack = ask.tokensPerMinute() > 0 && actualTokens >= 0 ? estimate - actualTokens : 0;
        long charge = costMicros.orElse(ask.costEstimateMicros());
        if (ask.budget() == null && giveBack == 0) {
            return;
        }
        settlements.add(new String[] {
            keys[1],
            keys[2],
            Integer.toString(Math.max(0, ask.tokensPerMinute())),
            Long.toString(giveBack),
            Long.toString(-ask.costEstimateMicros()),
            ask.budget() == null ? "-1" : Long.toString(charge)
        });
        sendSettlements();
    }

    /**
     * A request that met the failure policy because Redis did not answer in time: Redis may have
     * run its script all the same. If the late answer says it was admitted, what it took there is
     * settled like any other request's, with what the call used (given back entirely when the
     * request was refused here).
     */
    private final class LateAdmission implements Hold {
        private final Ask ask;
        private final String[] keys;
        private Hold local = Hold.NONE;
        private boolean admitted;
        private boolean ended;
        private long actualTokens;
        private OptionalLong costMicros = OptionalLong.empty();

        LateAdmission(Ask ask, String[] keys) {
            this.ask = ask;
            this.keys = keys;
        }

        Hold alongside(Hold local) {
            this.local = local;
            return this;
        }

        @Override
        public Map<String, String> responseHeaders() {
            return local.responseHeaders();
        }

        void answered(List<Object> reply) {
            if (number(reply, 0) != 0) {
                return; // refused there: nothing was taken
            }
            synchronized (this) {
                admitted = true;
                if (!ended) {
                    return;
                }
            }
            queueSettlement(ask, keys, actualTokens, costMicros);
        }

        @Override
        public void settle(long tokens, OptionalLong cost) {
            local.settle(tokens, cost);
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                actualTokens = tokens;
                costMicros = cost;
                if (!admitted) {
                    return;
                }
            }
            queueSettlement(ask, keys, tokens, cost);
        }
    }

    /**
     * Sends what is waiting to be settled as one script, unless a batch is on its way already:
     * its answer sends the next. One settlement at a time when traffic is light; under load,
     * everything that settled while the last batch was in Redis, in one round trip.
     */
    private void sendSettlements() {
        if (retrying.get() || !sending.compareAndSet(false, true)) {
            return;
        }
        var keys = new ArrayList<String>();
        var args = new ArrayList<String>();
        var batch = new ArrayList<String[]>();
        String[] next;
        while (keys.size() < 2 * MAX_BATCH && (next = settlements.poll()) != null) {
            batch.add(next);
            keys.add(next[0]);
            keys.add(next[1]);
            args.addAll(List.of(next[2], next[3], next[4], next[5]));
        }
        if (keys.isEmpty()) {
            sending.set(false);
            if (!settlements.isEmpty()) {
                sendSettlements(); // one arrived after the poll and before the flag was cleared
            }
            return;
        }
        redis.send("settle", SETTLE, keys.toArray(String[]::new), args.toArray(String[]::new))
                .whenComplete((reply, failure) -> {
                    if (failure != null && RedisLink.neverSent(failure)) {
                        // Redis never saw them: their reservations would stay taken until the
                        // window ends. Keep them (bounded) and try again when Redis may be back.
                        hold(batch);
                        retrying.set(true);
                        sending.set(false);
                        redis.later(
                                () -> {
                                    retrying.set(false);
                                    sendSettlements();
                                },
                                HELD_RETRY);
                        return;
                    }
                    if (failure != null) {
                        LOG.debug("Redis: {} settlements lost ({})", keys.size() / 2, failure.toString());
                    }
                    sending.set(false);
                    if (!settlements.isEmpty()) {
                        sendSettlements();
                    }
                });
    }

    private void hold(List<String[]> batch) {
        int room = MAX_HELD - settlements.size();
        if (room < batch.size()) {
            LOG.warn(
                    "Redis unreachable: {} settlements dropped (more than {} held); their reservations stay taken"
                            + " until their budget windows end",
                    batch.size() - Math.max(0, room),
                    MAX_HELD);
        }
        for (int i = 0; i < Math.min(batch.size(), Math.max(0, room)); i++) {
            settlements.add(batch.get(i));
        }
    }

    /**
     * Takes one request of a key's {@code requestsPerMinute} alone (a request that is not a routed
     * call: {@code GET /v1/models}), from the shared count; {@code local} when Redis does not
     * answer and the policy is {@code open}.
     */
    public Optional<RateLimitDecision> takeRequest(
            String keyId, int requestsPerMinute, Supplier<Optional<RateLimitDecision>> local) {
        List<Object> reply;
        try {
            reply = redis.call(
                    "take",
                    TAKE,
                    new String[] {rpmKey(keyId), tpmKey(keyId), ""},
                    late -> {}, // a request taken late is not given back (nor is it locally)
                    Integer.toString(requestsPerMinute),
                    "0",
                    "0",
                    "-1",
                    "0",
                    "0",
                    "0");
        } catch (RedisLink.RedisUnavailable e) {
            warnFallback(e);
            if (redis.settings().failOpen()) {
                return local.get();
            }
            throw unavailable();
        }
        noteAnswered();
        boolean admitted = number(reply, 0) == 0;
        return Optional.of(new RateLimitDecision(
                admitted,
                requestsPerMinute,
                admitted ? (int) Math.max(0, number(reply, 1)) : 0,
                number(reply, 2) * 1000,
                admitted ? 0 : number(reply, 3) * 1000));
    }

    private void warnFallback(RedisLink.RedisUnavailable cause) {
        redis.fellBack();
        if (warned.compareAndSet(false, true)) {
            LOG.warn(
                    "Redis at {} cannot take limits ({}): {}",
                    redis.describe(),
                    cause.getMessage(),
                    redis.settings().failOpen()
                            ? "each instance takes its own limits until it answers"
                            : "requests with limits are refused (503) until it answers");
        }
    }

    private void noteAnswered() {
        if (warned.compareAndSet(true, false)) {
            LOG.info("Redis at {} answers again: limits are shared again", redis.describe());
        }
    }

    private static ApiException unavailable() {
        return new ApiException(
                503,
                new ErrorDetail(
                        "The gateway cannot check this key's limits right now: its shared store (Redis) does not"
                                + " answer. Please try again shortly.",
                        ErrorDetail.SERVER_ERROR,
                        null,
                        "limits_unavailable"),
                Map.of("Retry-After", "1"));
    }

    private Hold fallBack(Ask ask, RedisLink.RedisUnavailable cause, LateAdmission late) {
        warnFallback(cause);
        if (redis.settings().failOpen()) {
            Hold hold;
            try {
                hold = local.take(ask);
            } catch (RuntimeException refused) {
                late.settle(0, OptionalLong.of(0));
                throw refused;
            }
            return late.alongside(hold);
        }
        late.settle(0, OptionalLong.of(0)); // refused: if Redis admitted it after all, nothing was used
        throw unavailable();
    }

    /** After the ledger's spend is read (off the request path), the window is raised to it if it knows more. */
    private void raiseFromLedger(String keyId, Budget budget, Instant now, String budgetKey) {
        long from = budget.period().windowStart(now).toEpochMilli();
        background.execute(() -> {
            try {
                long spent = ledger.since(keyId, from);
                redis.send("raise", RAISE, new String[] {budgetKey}, Long.toString(spent));
            } catch (RuntimeException e) {
                LOG.warn(
                        "Cannot read key {}'s spend from the ledger to start its budget window: {}",
                        keyId,
                        e.toString());
            }
        });
    }

    /** An admission by Redis; settled there (without waiting) and recorded in this instance's book. */
    private final class Shared implements Hold {
        private final Ask ask;
        private final String[] keys;
        private final Map<String, String> headers;
        private final AtomicBoolean settled = new AtomicBoolean();

        Shared(Ask ask, String[] keys, Map<String, String> headers) {
            this.ask = ask;
            this.keys = keys;
            this.headers = headers;
        }

        @Override
        public Map<String, String> responseHeaders() {
            return headers;
        }

        @Override
        public void settle(long actualTokens, OptionalLong costMicros) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            queueSettlement(ask, keys, actualTokens, costMicros);
            if (ask.budget() != null) {
                book.record(ask.keyId(), ask.budget().period(), costMicros.orElse(ask.costEstimateMicros()), ask.now());
            }
        }
    }

    static String rpmKey(String keyId) {
        return "sb:{" + keyId + "}:rpm";
    }

    static String tpmKey(String keyId) {
        return "sb:{" + keyId + "}:tpm";
    }

    /** One hash per key and window; the window is in the name, so a settlement charges the window it was admitted in. */
    static String budgetKey(String keyId, Budget budget, Instant now) {
        return "sb:{" + keyId + "}:budget:" + budget.period().label() + ":"
                + budget.period().windowStart(now).toEpochMilli();
    }

    private static long windowSeconds(Budget budget, Instant now) {
        return budget.period()
                .nextReset(now)
                .map(reset -> Duration.between(now, reset).plus(WINDOW_GRACE).toSeconds())
                .orElse(0L);
    }

    private static long number(List<Object> reply, int index) {
        return reply.size() > index && reply.get(index) instanceof Long value ? value : 0;
    }

    @Override
    public String toString() {
        return "SharedLimits[" + redis.describe() + "]";
    }
}
