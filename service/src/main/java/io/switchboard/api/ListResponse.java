package io.switchboard.api;

import java.util.List;

/** OpenAI's list envelope, {@code {"object":"list","data":[...]}}. */
public record ListResponse<T>(String object, List<T> data) {

    public static <T> ListResponse<T> of(List<T> data) {
        return new ListResponse<>("list", List.copyOf(data));
    }
}
