package io.switchboard.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatChoice;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatCompletionResponse;
import io.switchboard.api.ChunkChoice;
import io.switchboard.api.CompletionChoice;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.CompletionResponse;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.EmbeddingResponse;
import io.switchboard.api.ImageRequest;
import io.switchboard.api.Usage;
import io.switchboard.provider.ProviderException;
import io.switchboard.routing.CallTracer;
import io.switchboard.routing.Caller;
import io.switchboard.routing.Route;
import io.switchboard.routing.Target;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;

import static io.switchboard.tracing.TraceAttributes.ATTEMPT;
import static io.switchboard.tracing.TraceAttributes.ATTEMPTS;
import static io.switchboard.tracing.TraceAttributes.ERROR_TYPE;
import static io.switchboard.tracing.TraceAttributes.FIRST_CHUNK_EVENT;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_OPERATION_NAME;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_PROVIDER_NAME;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_REQUEST_MAX_TOKENS;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_REQUEST_MODEL;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_REQUEST_TEMPERATURE;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_REQUEST_TOP_P;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_RESPONSE_FINISH_REASONS;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_RESPONSE_ID;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_RESPONSE_MODEL;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_USAGE_INPUT_TOKENS;
import static io.switchboard.tracing.TraceAttributes.GEN_AI_USAGE_OUTPUT_TOKENS;
import static io.switchboard.tracing.TraceAttributes.HTTP_RESPONSE_STATUS_CODE;
import static io.switchboard.tracing.TraceAttributes.REQUEST_ID;
import static io.switchboard.tracing.TraceAttributes.STREAMED;
import static io.switchboard.tracing.TraceAttributes.TARGET;
import static io.switchboard.tracing.TraceAttributes.TIME_TO_FIRST_CHUNK_MS;

/**
 * Follows routed calls for tracing. The request's span (the SERVER span current on the thread
 * that begins the call, or a span of the call's own when there is none) is named after the call,
 * {@code {operation} {model}} as the GenAI conventions name spans, and gets the request's and the
 * answer's GenAI attributes; each attempt gets a CLIENT span under it, current while the attempt
 * sends its upstream request, so its context is what goes upstream.
 *
 * <p>Tracing off, or this request not sampled: nothing is recorded, but the context current at
 * the call's start is put back around every attempt (retries run on other threads), so a
 * client's {@code traceparent} still reaches each upstream.
 */
final class RoutedCallTracer implements CallTracer {

    private final Tracer tracer;
    private final boolean enabled;

    RoutedCallTracer(Tracer tracer, boolean enabled) {
        this.tracer = tracer;
        this.enabled = enabled;
    }

    @Override
    public Trace begin(Caller caller, Route route, boolean streamed, Object request) {
        Context parent = Context.current();
        if (!enabled) {
            return Span.fromContext(parent).getSpanContext().isValid() ? new Forwarding(parent) : Trace.NONE;
        }
        String operation = operationOf(request);
        String name = operation + " " + route.requestedModel();
        Span current = Span.fromContext(parent);
        boolean own = !current.isRecording() && !current.getSpanContext().isValid();
        Span span = own
                ? tracer.spanBuilder(name)
                        .setParent(parent)
                        .setSpanKind(SpanKind.INTERNAL)
                        .startSpan()
                : current;
        if (!span.isRecording()) {
            return new Forwarding(parent.with(span)); // sampled out: pass the context on, record nothing
        }
        span.updateName(name);
        span.setAttribute(GEN_AI_OPERATION_NAME, operation);
        span.setAttribute(GEN_AI_REQUEST_MODEL, route.requestedModel());
        span.setAttribute(STREAMED, streamed);
        if (caller.requestId() != null) {
            span.setAttribute(REQUEST_ID, caller.requestId());
        }
        describeRequest(span, request);
        return new Recording(parent.with(span), span, own, operation, caller.requestId());
    }

    static String operationOf(Object request) {
        if (request instanceof CompletionRequest) {
            return TraceAttributes.OPERATION_TEXT_COMPLETION;
        }
        if (request instanceof EmbeddingRequest) {
            return TraceAttributes.OPERATION_EMBEDDINGS;
        }
        if (request instanceof ImageRequest) {
            return TraceAttributes.OPERATION_GENERATE_CONTENT;
        }
        return TraceAttributes.OPERATION_CHAT; // chat, and the APIs that translate to it
    }

    private static void describeRequest(Span span, Object request) {
        Integer maxTokens = null;
        Double temperature = null;
        Double topP = null;
        if (request instanceof ChatCompletionRequest chat) {
            maxTokens = chat.tokenLimit();
            temperature = chat.temperature();
            topP = chat.topP();
        } else if (request instanceof CompletionRequest completion) {
            maxTokens = completion.maxTokens();
            temperature = completion.temperature();
            topP = completion.topP();
        }
        if (maxTokens != null) {
            span.setAttribute(GEN_AI_REQUEST_MAX_TOKENS, maxTokens.longValue());
        }
        if (temperature != null) {
            span.setAttribute(GEN_AI_REQUEST_TEMPERATURE, temperature);
        }
        if (topP != null) {
            span.setAttribute(GEN_AI_REQUEST_TOP_P, topP);
        }
    }

    /** Records nothing; puts the call's starting context back around each attempt. */
    private record Forwarding(Context context) implements Trace, Attempt {

        @Override
        public Attempt attempt(Target target, int number) {
            return this;
        }

        @Override
        public void start(Runnable start) {
            try (Scope ignored = context.makeCurrent()) {
                start.run();
            }
        }
    }

    /** A recorded call: its request span and what the answer said. */
    private final class Recording implements Trace {

        private final Context context;
        private final Span span;
        private final boolean own;
        private final String operation;
        private final String requestId;
        private final long startNanos = System.nanoTime();
        /** What the answer said; guarded by this (stream items arrive one after another, on upstream threads). */
        private String responseId;

        private String responseModel;
        private final Set<String> finishReasons = new LinkedHashSet<>();

        Recording(Context context, Span span, boolean own, String operation, String requestId) {
            this.context = context;
            this.span = span;
            this.own = own;
            this.operation = operation;
            this.requestId = requestId;
        }

        @Override
        public Attempt attempt(Target target, int number) {
            var builder = tracer.spanBuilder(operation + " " + target.upstreamModel())
                    .setParent(context)
                    .setSpanKind(SpanKind.CLIENT)
                    .setAttribute(GEN_AI_OPERATION_NAME, operation)
                    .setAttribute(GEN_AI_PROVIDER_NAME, target.providerName())
                    .setAttribute(GEN_AI_REQUEST_MODEL, target.upstreamModel())
                    .setAttribute(TARGET, target.catalogId())
                    .setAttribute(ATTEMPT, (long) number);
            if (requestId != null) {
                builder.setAttribute(REQUEST_ID, requestId);
            }
            Span attempt = builder.startSpan();
            return new RecordedAttempt(context.with(attempt), attempt);
        }

        @Override
        public synchronized void answered(Object value) {
            if (value instanceof ChatCompletionChunk chunk) {
                seen(chunk.id(), chunk.model());
                if (chunk.choices() != null) {
                    for (ChunkChoice choice : chunk.choices()) {
                        finished(choice.finishReason());
                    }
                }
            } else if (value instanceof ChatCompletionResponse response) {
                seen(response.id(), response.model());
                if (response.choices() != null) {
                    for (ChatChoice choice : response.choices()) {
                        finished(choice.finishReason());
                    }
                }
            } else if (value instanceof CompletionResponse response) {
                seen(response.id(), response.model());
                if (response.choices() != null) {
                    for (CompletionChoice choice : response.choices()) {
                        finished(choice.finishReason());
                    }
                }
            } else if (value instanceof EmbeddingResponse response) {
                seen(null, response.model());
            } else if (value instanceof JsonNode node && node.isObject()) {
                // Another API's own answer (passed through): the fields most of them share.
                seen(node.path("id").textValue(), node.path("model").textValue());
                finished(node.path("stop_reason").textValue());
            }
        }

        private void seen(String id, String model) {
            if (responseId == null && id != null && !id.isEmpty()) {
                responseId = id;
            }
            if (responseModel == null && model != null && !model.isEmpty()) {
                responseModel = model;
            }
        }

        private void finished(String reason) {
            if (reason != null && !reason.isEmpty()) {
                finishReasons.add(reason);
            }
        }

        @Override
        public void firstItem() {
            span.setAttribute(TIME_TO_FIRST_CHUNK_MS, (System.nanoTime() - startNanos) / 1e6);
            span.addEvent(FIRST_CHUNK_EVENT);
        }

        @Override
        public synchronized void ended(Target servedBy, int attempts, Usage usage, Throwable failure) {
            span.setAttribute(ATTEMPTS, (long) attempts);
            if (servedBy != null) {
                span.setAttribute(GEN_AI_PROVIDER_NAME, servedBy.providerName());
                span.setAttribute(TARGET, servedBy.catalogId());
            }
            if (responseId != null) {
                span.setAttribute(GEN_AI_RESPONSE_ID, responseId);
            }
            if (responseModel != null) {
                span.setAttribute(GEN_AI_RESPONSE_MODEL, responseModel);
            }
            if (!finishReasons.isEmpty()) {
                span.setAttribute(GEN_AI_RESPONSE_FINISH_REASONS, List.copyOf(finishReasons));
            }
            if (usage != null) {
                span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, usage.promptTokens());
                span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, usage.completionTokens());
            }
            if (failure != null) {
                failed(span, failure);
            }
            if (own) {
                span.end();
            }
        }
    }

    /** One attempt's CLIENT span, current while the attempt starts. */
    private record RecordedAttempt(Context context, Span span) implements Attempt {

        @Override
        public void start(Runnable start) {
            try (Scope ignored = context.makeCurrent()) {
                start.run();
            }
        }

        @Override
        public void answered() {
            span.addEvent(FIRST_CHUNK_EVENT);
        }

        @Override
        public void ended(ProviderException failure) {
            if (failure != null) {
                failed(span, failure);
                if (failure.upstreamStatus() > 0) {
                    span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) failure.upstreamStatus());
                }
            }
            span.end();
        }
    }

    /**
     * Marks a span with why its call or attempt failed: {@code error.type} is the failure's kind
     * ({@code upstream_5xx}, {@code timeout}, {@code cancelled} …), and the status is an error
     * unless the client was at fault (a 4xx it gets back) or left.
     */
    static void failed(Span span, Throwable failure) {
        String type;
        boolean serverFault;
        String message = failure.getMessage();
        if (failure instanceof ProviderException provider) {
            type = provider.kind().label();
            serverFault = provider.kind() != ProviderException.Kind.CANCELLED && provider.clientStatus() >= 500;
        } else if (failure instanceof ApiException refused) {
            type = refused.detail() != null && refused.detail().type() != null
                    ? refused.detail().type()
                    : Integer.toString(refused.status());
            serverFault = refused.status() >= 500;
            message = refused.detail() != null ? refused.detail().message() : message;
        } else if (failure instanceof CancellationException) {
            type = ProviderException.Kind.CANCELLED.label();
            serverFault = false;
        } else {
            type = failure.getClass().getName();
            serverFault = true;
        }
        span.setAttribute(ERROR_TYPE, type);
        if (serverFault) {
            span.setStatus(StatusCode.ERROR, message == null ? type : message);
        }
    }
}
