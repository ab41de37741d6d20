package io.switchboard.api;

/** OpenAI's error envelope: {@code {"error":{"message","type","param","code"}}}. */
public record ErrorResponse(ErrorDetail error) {
}
