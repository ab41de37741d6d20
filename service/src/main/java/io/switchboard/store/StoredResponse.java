package io.switchboard.store;

/**
 * One stored response of the Responses API.
 *
 * @param keyId              the gateway key that created it, null without keys
 * @param previousResponseId the response it continued, or null
 * @param createdAt          epoch milliseconds
 * @param response           the response object as the client saw it, JSON
 * @param inputItems         the request's input items (each with an id), a JSON array
 */
public record StoredResponse(
        String id, String keyId, String previousResponseId, long createdAt, String response, String inputItems) {}
