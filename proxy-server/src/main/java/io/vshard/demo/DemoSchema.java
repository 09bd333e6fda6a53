package io.vshard.demo;

/** The demo's tables: creators, and payments (the ledger, windowed by ISO week). */
final class DemoSchema {
    /** The tables. */
    static final String[] TABLES = {
        "CREATE TABLE IF NOT EXISTS creators (creator_id BIGINT PRIMARY KEY, region VARCHAR(8) NOT NULL,"
                + " name VARCHAR(40) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT NOT NULL,"
                + " region VARCHAR(8) NOT NULL, amount DECIMAL(12,2) NOT NULL, currency CHAR(3) NOT NULL,"
                + " created_at TIMESTAMP NOT NULL, window_id VARCHAR(8) NOT NULL, event_id BIGINT NOT NULL)"
    };
    /**
     * The indexes; the bulk load creates them after the rows are in (a sorted build, not a random insert each).
     * Named as the migrator names the creator-column index it makes sure of (driver {@code ShardIndexes}), so
     * the migrator finds it rather than building a second index on the same column over the whole dataset.
     * The region rides along: the migrator lists a cohort's keys ({@code SELECT DISTINCT creator_id, region}
     * over a creator range) and the drain each old location's keys, and with both columns in the index H2 answers
     * those from the index alone instead of fetching every row from the table (one primary-key lookup per row).
     */
    static final String[] INDEXES = {paymentsIndex("payments")};

    /** The creator index of the payments table {@code table} (a shard's own, qualified, or the router's). */
    static String paymentsIndex(String table) {
        return "CREATE INDEX IF NOT EXISTS vshard_payments_creator_id ON " + table + " (creator_id, region)";
    }

    static final String PAYMENT_COLUMNS =
            "payment_id, creator_id, region, amount, currency, created_at, window_id, event_id";
    static final int PAYMENT_WIDTH = 8;
    static final String CREATOR_COLUMNS = "creator_id, region, name";
    static final int CREATOR_WIDTH = 3;

    private DemoSchema() {}

    /** A multi-row INSERT of {@code rows} rows with placeholders. */
    static String insert(String table, String columns, int width, int rows) {
        StringBuilder sb = new StringBuilder("INSERT INTO ")
                .append(table)
                .append(" (")
                .append(columns)
                .append(") VALUES ");
        String row = "(" + "?, ".repeat(width - 1) + "?)";
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "" : ", ").append(row);
        }
        return sb.toString();
    }
}
