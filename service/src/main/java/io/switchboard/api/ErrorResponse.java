package io.switchboard.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** OpenAI's error envelope: {@code {"error":{"message","type","param","code"}}}. */
public record ErrorResponse(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) ErrorDetail error) {}
