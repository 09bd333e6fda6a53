package io.vshard.engine;

import java.util.List;

/**
 * How the application asked a statement to run.
 *
 * @param prepared whether it came through a {@code PreparedStatement} (run as one on the shards)
 * @param fetchSize rows per backend round trip, or 0 for the driver default
 * @param queryTimeoutSeconds the timeout per shard statement, or 0 for none
 * @param maxRows the most rows to return, or 0 for all
 * @param generatedKeys whether to return generated keys
 * @param keyColumns the generated-key columns asked for, or empty for the backend's default
 */
public record StatementOptions(
        boolean prepared,
        int fetchSize,
        int queryTimeoutSeconds,
        long maxRows,
        boolean generatedKeys,
        List<String> keyColumns) {

    /** Plain statement defaults. */
    public static final StatementOptions DEFAULT = new StatementOptions(false, 0, 0, 0, false, List.of());

    /** Prepared statement defaults. */
    public static final StatementOptions PREPARED = new StatementOptions(true, 0, 0, 0, false, List.of());

    public StatementOptions {
        keyColumns = List.copyOf(keyColumns);
    }
}
