package io.switchboard.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.ErrorDetail;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;

import java.io.IOException;
import java.util.function.Predicate;

/**
 * Reads the {@code data:} of one OpenAI stream event: a chunk, or a failure that arrived
 * mid-stream as {@code {"error":{...}}} (no {@code choices}).
 *
 * <p>A chunk is read straight into its record, in one pass. Only when that fails or the record
 * has no choices (an error event looks like that, and is rare) is the event read again as a tree
 * and judged as before: an error object without {@code choices} is the upstream's failure,
 * anything else that does not map is malformed. Reading every event as a tree first and mapping
 * the tree second, as this did, cost a third of the relay's JSON time.
 */
public final class OpenAiChunks {

    private OpenAiChunks() {}

    /**
     * @param hasChoices whether a read chunk has its {@code choices}; one without may be an error
     * @throws ProviderException {@code UPSTREAM_5XX} for an error event, {@code MALFORMED} for
     *                           anything unreadable
     */
    public static <T> T read(
            ObjectMapper mapper, String data, Class<T> type, Predicate<T> hasChoices, String provider) {
        try {
            T chunk = mapper.readValue(data, type);
            if (chunk != null && hasChoices.test(chunk)) {
                return chunk;
            }
        } catch (IOException | IllegalArgumentException notAChunk) {
            // judged below, from the tree
        }
        return readSlowly(mapper, data, type, provider);
    }

    private static <T> T readSlowly(ObjectMapper mapper, String data, Class<T> type, String provider) {
        JsonNode tree;
        try {
            tree = mapper.readTree(data);
        } catch (IOException e) {
            throw new ProviderException(Kind.MALFORMED, provider, "Unreadable stream chunk from " + provider, e);
        }
        JsonNode error = tree.get("error");
        if (error != null && error.isObject() && !tree.has("choices")) {
            var detail = new ErrorDetail(
                    error.path("message").asText("stream failed"),
                    error.path("type").asText(null),
                    error.path("param").asText(null),
                    error.path("code").asText(null));
            throw new ProviderException(Kind.UPSTREAM_5XX, provider, detail.message(), 0, detail, null, null);
        }
        try {
            return mapper.treeToValue(tree, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new ProviderException(Kind.MALFORMED, provider, "Unexpected stream chunk from " + provider, e);
        }
    }
}
