package io.switchboard.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A model object as OpenAI lists it: id, "model", creation time (Unix seconds) and owner. */
public record Model(
        String id,
        String object,
        long created,
        @JsonProperty("owned_by") String ownedBy) {

    public static final String OBJECT = "model";

    public static Model of(String id, long created, String ownedBy) {
        return new Model(id, OBJECT, created, ownedBy);
    }
}
