package io.switchboard.provider.http;

import io.switchboard.api.ErrorDetail;

/**
 * Reads an upstream's error body into OpenAI's error shape. Each protocol has its own body
 * ({@code {"error":{...}}} for OpenAI, {@code {"type":"error","error":{...}}} for Anthropic …).
 */
@FunctionalInterface
public interface UpstreamErrorParser {

    /** Never null: an unreadable body becomes a message that quotes (a bounded part of) it. */
    ErrorDetail parse(int status, byte[] body);
}
