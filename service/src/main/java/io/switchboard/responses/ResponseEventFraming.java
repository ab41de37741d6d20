package io.switchboard.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.provider.ProviderException;
import io.switchboard.resources.ErrorResponses;
import io.switchboard.resources.SseFraming;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * The Responses API's stream as server-sent events: each event named by its {@code type}, no
 * {@code [DONE]} at the end. A failure past the commit point that the stream itself has not
 * already reported ({@code response.failed}) is written as OpenAI's error body.
 */
final class ResponseEventFraming implements SseFraming<ObjectNode> {

    private final ObjectMapper mapper;

    ResponseEventFraming(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Frame frame(ObjectNode event) {
        return new Frame(event.path("type").asText(null), json(event));
    }

    @Override
    public List<Frame> end(ProviderException failure) {
        return failure == null ? List.of() : List.of(new Frame(null, json(ErrorResponses.body(failure))));
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
