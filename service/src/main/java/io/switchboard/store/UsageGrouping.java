package io.switchboard.store;

/** What usage reports are grouped by. */
public enum UsageGrouping {
    /** The key's id; requests without a key form one group whose name is null. */
    KEY("key_id"),
    /** The upstream model that answered (null: none did). */
    MODEL("model_served"),
    /** The provider that served (null: none was tried). */
    PROVIDER("provider"),
    /**
     * The UTC day, as {@code 2026-01-31}: whole days since the epoch, by integer division of the
     * millisecond timestamp, which SQLite and PostgreSQL compute alike (no date functions, which differ).
     */
    DAY("ts / 86400000");

    private final String expression;

    UsageGrouping(String expression) {
        this.expression = expression;
    }

    /** Constant SQL, never from input: safe to put in a statement's text. */
    String expression() {
        return expression;
    }
}
