package io.switchboard.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.Printable;
import io.switchboard.store.StoredResponse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Responses API's memory: saving a response with its input items, reading one back for the
 * key that created it (any other key gets the same 404 as an id that never existed), and the
 * conversation a {@code previous_response_id} stands for: every earlier response's input and
 * output, oldest first, found by walking the chain of previous ids.
 */
final class StoredResponses {

    /** The longest chain walked; older turns than this are left out of the conversation. */
    static final int MAX_CHAIN = 1_000;

    private final ResponseStore store;
    private final ObjectMapper mapper;

    StoredResponses(ResponseStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
    }

    /** The response {@code id} if {@code keyId} created it. */
    Optional<StoredResponse> owned(String id, String keyId) {
        return store.find(id).filter(stored -> Objects.equals(stored.keyId(), keyId));
    }

    /** 404 as OpenAI words it for an id that is unknown here (or belongs to another key). */
    static ApiException notFound(String id) {
        return new ApiException(
                404,
                ErrorDetail.invalidRequest("Response with id '" + Printable.of(id, 100) + "' not found.", null, null));
    }

    /**
     * The items of the conversation up to and including {@code previousId}'s output.
     *
     * @throws ApiException 404, param {@code previous_response_id}, when it is unknown to this key
     */
    List<ObjectNode> history(String previousId, String keyId) {
        var first = owned(previousId, keyId)
                .orElseThrow(() -> new ApiException(
                        404,
                        ErrorDetail.invalidRequest(
                                "Previous response with id '" + Printable.of(previousId, 100) + "' not found.",
                                "previous_response_id",
                                "previous_response_not_found")));
        Deque<List<ObjectNode>> turns = new ArrayDeque<>();
        StoredResponse turn = first;
        for (int hops = 0; turn != null && hops < MAX_CHAIN; hops++) {
            var items = new ArrayList<ObjectNode>(items(turn.inputItems()));
            for (JsonNode output : read(turn.response()).path("output")) {
                if (output.isObject()) {
                    items.add((ObjectNode) output);
                }
            }
            turns.addFirst(items);
            String earlier = turn.previousResponseId();
            turn = earlier == null ? null : owned(earlier, keyId).orElse(null);
        }
        var conversation = new ArrayList<ObjectNode>();
        turns.forEach(conversation::addAll);
        return conversation;
    }

    /** Saves a finished response and its request's input items (given ids where they have none). */
    void save(ObjectNode response, List<ObjectNode> input, String keyId, String previousId, long createdAtMillis) {
        var items = mapper.createArrayNode();
        input.forEach(items::add);
        store.save(new StoredResponse(
                response.path("id").asText(), keyId, previousId, createdAtMillis, write(response), write(items)));
    }

    boolean delete(String id, String keyId) {
        return owned(id, keyId).map(stored -> store.delete(id)).orElse(false);
    }

    ObjectNode read(String json) {
        try {
            return (ObjectNode) mapper.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("A stored response is not a JSON object", e);
        }
    }

    List<ObjectNode> items(String json) {
        var items = new ArrayList<ObjectNode>();
        try {
            for (JsonNode item : (ArrayNode) mapper.readTree(json)) {
                items.add((ObjectNode) item);
            }
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("Stored input items are not a JSON array of objects", e);
        }
        return items;
    }

    private String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A response could not be serialised", e);
        }
    }

    /** The items with an id each, as OpenAI lists input items: messages {@code msg_…}, others by type. */
    static List<ObjectNode> withIds(List<ObjectNode> items) {
        var identified = new ArrayList<ObjectNode>(items.size());
        for (ObjectNode item : items) {
            var copy = item.deepCopy();
            if (!copy.path("type").isTextual()) {
                copy.put("type", "message");
            }
            if (!copy.path("id").isTextual()) {
                String prefix = switch (copy.get("type").textValue()) {
                    case "message" -> "msg_";
                    case "function_call" -> "fc_";
                    case "function_call_output" -> "fco_";
                    default -> "item_";
                };
                copy.put("id", ResponseIds.next(prefix));
            }
            identified.add(copy);
        }
        return identified;
    }
}
