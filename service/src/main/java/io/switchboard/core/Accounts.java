package io.switchboard.core;

import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.Usage;
import io.switchboard.metrics.GatewayMetrics;
import io.switchboard.provider.ProviderException;
import io.switchboard.routing.CallObserver;
import io.switchboard.routing.Caller;
import io.switchboard.routing.Route;
import io.switchboard.routing.Target;
import io.switchboard.store.TokenCounts;
import io.switchboard.store.UsageRow;
import io.switchboard.store.VirtualKeyRecord;
import io.switchboard.usage.Budget;
import io.switchboard.usage.BudgetPeriod;
import io.switchboard.usage.CallLimits;
import io.switchboard.usage.Cost;
import io.switchboard.usage.CostEstimator;
import io.switchboard.usage.ModelGlobs;
import io.switchboard.usage.PriceTable;
import io.switchboard.usage.TokenUsage;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * The gateway's accounts, kept for every routed call: before it, the key's model globs, its
 * budget (a reservation of the estimated cost) and its tokens per minute (a reservation of the
 * estimated tokens); after it, the cost from the usage the provider reported, the reservations
 * settled with it, the spend metrics, and one usage ledger row handed to the batching writer.
 * The limits are taken in one step through {@link CallLimits}: this instance's counters, or with
 * {@code cluster.redis} one script in Redis shared by every instance (which then also takes the
 * key's requests per minute). Nothing here waits on the database; on Redis, at most
 * {@code cluster.redis.timeout}.
 */
final class Accounts implements CallObserver {

    private final KeyCache keys;
    private final CallLimits limits;
    private final ToIntFunction<String> deferredRpm;
    private final PriceTable prices;
    private final CostEstimator estimator;
    private final Consumer<UsageRow> ledger;
    private final GatewayMetrics metrics;
    private final BiPredicate<String, String> listed;
    private final Clock clock;
    private final Map<String, ModelGlobs> globs = new ConcurrentHashMap<>();

    Accounts(
            KeyCache keys,
            CallLimits limits,
            ToIntFunction<String> deferredRpm,
            PriceTable prices,
            CostEstimator estimator,
            Consumer<UsageRow> ledger,
            GatewayMetrics metrics,
            BiPredicate<String, String> listed,
            Clock clock) {
        this.keys = keys;
        this.limits = limits;
        this.deferredRpm = deferredRpm;
        this.prices = prices;
        this.estimator = estimator;
        this.ledger = ledger;
        this.metrics = metrics;
        this.listed = listed;
        this.clock = clock;
    }

    @Override
    public boolean wantsUsage() {
        return true;
    }

    @Override
    public Track begin(Caller caller, Route route, boolean streamed, Object request) {
        long startNanos = System.nanoTime();
        long startMillis = clock.millis();
        try {
            return admit(caller, route, streamed, request, startNanos, startMillis);
        } catch (ApiException refused) {
            // Refused by the key's own rules (model, budget, tokens per minute): still a request.
            ledger.accept(new UsageRow(
                    caller.requestId(),
                    startMillis,
                    caller.keyId(),
                    caller.endpoint(),
                    route.first().providerName(),
                    route.requestedModel(),
                    null,
                    streamed,
                    refused.status(),
                    refused.detail().code(),
                    0,
                    TokenCounts.UNKNOWN,
                    0L,
                    (System.nanoTime() - startNanos) / 1_000_000,
                    null));
            metrics.requestEnded(caller.endpoint(), refused.status());
            throw refused;
        }
    }

    private Track admit(
            Caller caller, Route route, boolean streamed, Object request, long startNanos, long startMillis) {
        VirtualKeyRecord key = caller.keyId() == null || keys == null
                ? null
                : keys.byId(caller.keyId()).orElse(null);
        // With shared limits the rate-limit filter leaves a routed call's RPM to this one step.
        int rpm = caller.keyId() == null ? 0 : deferredRpm.applyAsInt(caller.keyId());
        int tpm = 0;
        long tokenEstimate = 0;
        Budget budget = null;
        long costEstimate = 0;
        if (key != null) {
            checkModel(key, route);
            Target first = route.first();
            long prompt = promptTokens(request);
            long output = outputTokens(request);
            var settings = key.settings();
            if (settings.tpm() != null && settings.tpm() > 0) {
                tpm = settings.tpm();
                tokenEstimate = prompt + output;
            }
            if (settings.budgetMicros() != null) {
                budget = new Budget(
                        settings.budgetMicros(),
                        BudgetPeriod.parse(settings.budgetPeriod().dbValue()));
                costEstimate = estimator.estimateMicros(
                        prompt, output, prices.find(first.providerName(), first.upstreamModel()));
            }
        }
        var hold = caller.keyId() == null
                ? CallLimits.Hold.NONE
                : limits.take(new CallLimits.Ask(
                        caller.keyId(), rpm, tpm, tokenEstimate, budget, costEstimate, clock.instant()));
        if (!hold.responseHeaders().isEmpty()) {
            caller.responseHeaders().accept(hold.responseHeaders());
        }
        return new Call(caller, route, streamed, hold, startNanos, startMillis);
    }

    private void checkModel(VirtualKeyRecord key, Route route) {
        var patterns = key.settings().models();
        if (patterns == null || patterns.isEmpty()) {
            return;
        }
        ModelGlobs allowed = globs.computeIfAbsent(String.join(",", patterns), joined -> ModelGlobs.compile(patterns));
        for (Target target : route.targets()) {
            if (allowed.allows(route.requestedModel(), target.catalogId())) {
                return;
            }
        }
        throw new ApiException(
                403,
                new ErrorDetail(
                        "This API key may not use the model '" + route.requestedModel() + "'. The models it may use: "
                                + String.join(", ", patterns) + ".",
                        ErrorDetail.INVALID_REQUEST,
                        "model",
                        "model_not_allowed"));
    }

    /** A documented estimate of the prompt: see {@link CostEstimator#promptTokens}. */
    static long promptTokens(Object request) {
        if (request instanceof ChatCompletionRequest chat) {
            var texts = new ArrayList<String>();
            for (ChatMessage message : chat.messages()) {
                texts.add(message.text());
            }
            return CostEstimator.promptTokens(texts);
        }
        if (request instanceof CompletionRequest completion) {
            return CostEstimator.promptTokens(
                    completion.prompt() == null ? "" : completion.prompt().toString());
        }
        if (request instanceof EmbeddingRequest embedding) {
            return CostEstimator.promptTokens(
                    embedding.input() == null ? "" : embedding.input().toString());
        }
        return 0;
    }

    private long outputTokens(Object request) {
        if (request instanceof ChatCompletionRequest chat) {
            return estimator.outputTokens(chat.maxCompletionTokens(), chat.maxTokens());
        }
        if (request instanceof CompletionRequest completion) {
            return estimator.outputTokens(null, completion.maxTokens());
        }
        return 0;
    }

    /** One call's course, from its reservations to its ledger row. */
    private final class Call implements Track {

        private final Caller caller;
        private final Route route;
        private final boolean streamed;
        private final CallLimits.Hold hold;
        private final long startNanos;
        private final long startMillis;
        private volatile long firstTokenNanos;

        Call(Caller caller, Route route, boolean streamed, CallLimits.Hold hold, long startNanos, long startMillis) {
            this.caller = caller;
            this.route = route;
            this.streamed = streamed;
            this.hold = hold;
            this.startNanos = startNanos;
            this.startMillis = startMillis;
        }

        @Override
        public void firstToken() {
            firstTokenNanos = System.nanoTime();
        }

        @Override
        public void ended(Target servedBy, int attempts, Usage usage, ProviderException failure, boolean clientLeft) {
            long now = System.nanoTime();
            TokenUsage tokens = usage == null ? null : TokenUsage.fromOpenAi(usage);
            OptionalLong cost;
            if (tokens != null && servedBy != null) {
                cost = Cost.of(tokens, prices.find(servedBy.providerName(), servedBy.upstreamModel()))
                        .micros();
            } else if (servedBy == null && failure != null && !clientLeft) {
                cost = OptionalLong.of(0); // no target answered: nothing was generated
            } else {
                cost = OptionalLong.empty(); // answered, but no usage reported (a client that left mid-stream)
            }
            hold.settle(tokens != null ? tokens.promptTokens() + tokens.completionTokens() : -1, cost);
            if (servedBy != null) {
                String model = listed.test(servedBy.providerName(), servedBy.upstreamModel())
                        ? servedBy.upstreamModel()
                        : GatewayMetrics.UNLISTED_MODEL;
                metrics.costed(
                        servedBy.providerName(),
                        model,
                        tokens == null ? null : cost.isPresent() ? Long.valueOf(cost.getAsLong()) : null);
            }
            int status = failure == null ? (clientLeft ? 499 : 200) : (clientLeft ? 499 : failure.clientStatus());
            String errorKind = clientLeft
                    ? "client_left"
                    : failure != null ? failure.kind().label() : null;
            var counts = tokens == null
                    ? TokenCounts.UNKNOWN
                    : new TokenCounts(
                            tokens.promptTokens(),
                            tokens.completionTokens(),
                            tokens.cacheReadTokens(),
                            tokens.cacheWriteTokens(),
                            tokens.reasoningTokens());
            ledger.accept(new UsageRow(
                    caller.requestId(),
                    startMillis,
                    caller.keyId(),
                    caller.endpoint(),
                    servedBy != null ? servedBy.providerName() : route.first().providerName(),
                    route.requestedModel(),
                    servedBy != null ? servedBy.upstreamModel() : null,
                    streamed,
                    status,
                    errorKind,
                    attempts,
                    counts,
                    cost.isPresent() ? cost.getAsLong() : null,
                    (now - startNanos) / 1_000_000,
                    firstTokenNanos == 0 ? null : (firstTokenNanos - startNanos) / 1_000_000));
            metrics.requestEnded(caller.endpoint(), status);
        }
    }

    @Override
    public String toString() {
        return "Accounts[" + (keys == null ? "no virtual keys" : keys) + "]";
    }
}
