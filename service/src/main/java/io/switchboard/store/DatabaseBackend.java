package io.switchboard.store;

import java.util.Locale;

/**
 * The two databases the gateway supports, told apart by the JDBC URL. Both run the same
 * migrations and the same SQL; the few differences (driver, a placeholder in the migrations,
 * connection defaults) live here and in {@link Database}.
 */
public enum DatabaseBackend {

    /** An embedded file, the default: nothing to install, one gateway instance. */
    SQLITE("jdbc:sqlite:", "org.sqlite.JDBC", "INTEGER PRIMARY KEY"),

    /** A server, 15 or later: for several gateway instances sharing keys, spend and the ledger. */
    POSTGRESQL("jdbc:postgresql:", "org.postgresql.Driver", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");

    private final String urlPrefix;
    private final String driverClass;
    private final String autoIdColumn;

    DatabaseBackend(String urlPrefix, String driverClass, String autoIdColumn) {
        this.urlPrefix = urlPrefix;
        this.driverClass = driverClass;
        this.autoIdColumn = autoIdColumn;
    }

    /**
     * The backend a JDBC URL names.
     *
     * @throws IllegalArgumentException naming {@code database.url} for any other URL; the URL
     *                                  itself is not repeated, as it may carry a password
     */
    public static DatabaseBackend of(String url) {
        String lower = url == null ? "" : url.strip().toLowerCase(Locale.ROOT);
        for (DatabaseBackend backend : values()) {
            if (lower.startsWith(backend.urlPrefix)) {
                return backend;
            }
        }
        String scheme = lower.startsWith("jdbc:") && lower.indexOf(':', 5) > 0
                ? " (got a " + lower.substring(0, lower.indexOf(':', 5) + 1) + " URL)"
                : "";
        throw new IllegalArgumentException("database.url must start with jdbc:sqlite: (a file) or jdbc:postgresql:"
                + " (a PostgreSQL 15+ server)" + scheme);
    }

    /** The JDBC driver used when {@code database.driverClass} is not set. */
    public String driverClass() {
        return driverClass;
    }

    /** The column type of an auto-numbered primary key: the one thing the migrations cannot say portably. */
    String autoIdColumn() {
        return autoIdColumn;
    }

    String urlPrefix() {
        return urlPrefix;
    }
}
