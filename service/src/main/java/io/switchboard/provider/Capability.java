package io.switchboard.provider;

import java.util.Locale;

/** What a provider (or one of its models) can do. */
public enum Capability {
    CHAT,
    COMPLETIONS,
    EMBEDDINGS,
    IMAGES,
    /** The provider can list its models, so the registry can discover them. */
    MODEL_LIST;

    /** The word used in client-facing messages: "does not support images". */
    public String label() {
        return switch (this) {
            case CHAT -> "chat completions";
            case COMPLETIONS -> "text completions";
            case EMBEDDINGS -> "embeddings";
            case IMAGES -> "images";
            case MODEL_LIST -> "model listing";
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
