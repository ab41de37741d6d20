package io.switchboard.store;

/**
 * What a migration run did.
 *
 * @param applied       migrations applied by this run; 0 when the schema was already current
 * @param schemaVersion the schema's version afterwards, e.g. {@code 1}
 */
public record MigrationReport(int applied, String schemaVersion) {}
