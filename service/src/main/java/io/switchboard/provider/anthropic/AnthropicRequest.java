package io.switchboard.provider.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A translated request: the Messages API body, and what of the client's request it does not carry
 * (each entry names the parameter and why), for the provider to log.
 */
record AnthropicRequest(ObjectNode body, List<String> notes) {

    AnthropicRequest {
        notes = List.copyOf(notes);
    }
}
