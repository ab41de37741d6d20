package io.switchboard.tracing;

import io.opentelemetry.api.common.AttributeKey;

import java.util.List;

/**
 * The attribute names the gateway's spans carry: OpenTelemetry's GenAI semantic conventions
 * ({@code gen_ai.*}), the HTTP and server basics, and a few of the gateway's own
 * ({@code switchboard.*}). Defined here rather than taken from the semconv artifacts, whose GenAI
 * constants live in the incubating module and are deprecated as they move.
 */
public final class TraceAttributes {

    private TraceAttributes() {}

    // GenAI (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/)
    public static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
    public static final AttributeKey<String> GEN_AI_PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
    public static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    public static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    public static final AttributeKey<Long> GEN_AI_REQUEST_MAX_TOKENS =
            AttributeKey.longKey("gen_ai.request.max_tokens");
    public static final AttributeKey<Double> GEN_AI_REQUEST_TEMPERATURE =
            AttributeKey.doubleKey("gen_ai.request.temperature");
    public static final AttributeKey<Double> GEN_AI_REQUEST_TOP_P = AttributeKey.doubleKey("gen_ai.request.top_p");
    public static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS =
            AttributeKey.longKey("gen_ai.usage.input_tokens");
    public static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS =
            AttributeKey.longKey("gen_ai.usage.output_tokens");
    public static final AttributeKey<List<String>> GEN_AI_RESPONSE_FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    public static final AttributeKey<String> GEN_AI_RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");

    /** The values of {@link #GEN_AI_OPERATION_NAME} the gateway uses. */
    public static final String OPERATION_CHAT = "chat";

    public static final String OPERATION_TEXT_COMPLETION = "text_completion";
    public static final String OPERATION_EMBEDDINGS = "embeddings";
    /** Images: the conventions name no image operation; this is their generic one. */
    public static final String OPERATION_GENERATE_CONTENT = "generate_content";

    // HTTP, server and errors (stable conventions)
    public static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
            AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    public static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    public static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    public static final AttributeKey<String> USER_AGENT_ORIGINAL = AttributeKey.stringKey("user_agent.original");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    // The gateway's own
    /** The request's id, as the client sees it in {@code X-Request-Id}. */
    public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("switchboard.request_id");
    /** Whether the client asked for a stream. */
    public static final AttributeKey<Boolean> STREAMED = AttributeKey.booleanKey("switchboard.streamed");
    /** On an attempt: which attempt of the call it is, from 1, retries and fallbacks counted. */
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("switchboard.attempt");
    /** On the request: how many attempts the call took. */
    public static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("switchboard.attempts");
    /** The catalog id ({@code provider/model}) of the target that served the call, or was tried. */
    public static final AttributeKey<String> TARGET = AttributeKey.stringKey("switchboard.target");
    /** A stream's time to its first chunk with some of the answer, in milliseconds. */
    public static final AttributeKey<Double> TIME_TO_FIRST_CHUNK_MS =
            AttributeKey.doubleKey("switchboard.time_to_first_chunk_ms");
    /** The name of the event a stream's request and attempt spans get at its first chunk. */
    public static final String FIRST_CHUNK_EVENT = "first_chunk";
}
