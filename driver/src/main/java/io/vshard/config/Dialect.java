package io.vshard.config;

import java.util.Locale;

/** The SQL dialect of a data source, told by its JDBC URL; it decides how a logical shard is addressed. */
public enum Dialect {
    /** PostgreSQL: a logical shard is a schema. */
    POSTGRESQL,
    /** MySQL and MariaDB: a logical shard is a database (catalog). */
    MYSQL,
    /** H2 (embedded): a logical shard is a schema. */
    H2;

    /**
     * The dialect of a JDBC URL.
     *
     * @throws IllegalArgumentException if the URL names no supported database
     */
    public static Dialect of(String jdbcUrl) {
        String u = jdbcUrl.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (u.startsWith("jdbc:mysql:") || u.startsWith("jdbc:mariadb:")) {
            return MYSQL;
        }
        if (u.startsWith("jdbc:h2:")) {
            return H2;
        }
        throw new IllegalArgumentException("unsupported JDBC URL '" + jdbcUrl
                + "'; expected jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or jdbc:h2:");
    }

    /** Whether a logical shard is a catalog (database) rather than a schema. */
    public boolean shardIsCatalog() {
        return this == MYSQL;
    }

    /** Quotes an identifier. */
    public String quote(String name) {
        return this == MYSQL ? "`" + name.replace("`", "``") + "`" : "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
