package io.vshard.migrate;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Writes the COPY text rows of one table bound for many schemas of one PostgreSQL database in two round trips
 * instead of one COPY (two round trips) per schema: the rows go, each tagged with its target's index, into a
 * session temp table with {@code COPY ... FROM STDIN}, then one JDBC batch of {@code INSERT INTO <schema>.<table>
 * SELECT ... WHERE tag = i} (sent as one pipeline, one Sync) moves them to their schemas, in the caller's
 * transaction. A cohort scatters to about one v2 schema per creator, so the first copy of a cohort went from
 * about 60 COPY statements per table and data source to one COPY and one batch.
 *
 * <p>The temp table is {@code ON COMMIT DELETE ROWS}, so each batch starts empty (no dead rows piling up in a
 * table autovacuum never visits), and its name carries a hash of the column layout, so a table whose columns
 * changed gets a new one. Every insert's row count is checked against what was staged for its target.
 */
final class StagedCopy {
    /**
     * Off by default: {@code -Dvshard.migrator.stagedCopy=true} turns it on. On an idle machine it saved no
     * time and cost the server about 0.2 s of CPU per 100k rows (BENCHMARKS.md, "Session 5 migration"); it
     * saves round trips, which pays only where the round trip is long (a remote server, a loaded machine).
     */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("vshard.migrator.stagedCopy", "false"));

    /** Below this many target schemas per table, plain COPYs cost no more round trips. */
    static final int MIN_TARGETS = 3;

    private static final String TAG = "vshard_to";
    private static final int CHUNK = 64 * 1024;

    /** The stage tables each open connection has (a connection's temp tables live as long as it). */
    private static final Map<Connection, Set<String>> CREATED = Collections.synchronizedMap(new WeakHashMap<>());

    private StagedCopy() {}

    /** One target: where its rows go and the rows. */
    record Target(ShardLocation at, List<TableRows.Row> rows) {}

    /**
     * Writes every target's rows (COPY text lines, as {@link CopyOut} read them) into {@code t} at its schema, in
     * the caller's transaction on {@code c}.
     */
    static void write(Connection c, TableRule t, TableRows.Batch layout, List<Target> targets) throws SQLException {
        String cols = String.join(", ", layout.columns());
        String stage = "vshard_stage_" + t.name() + "_"
                + Integer.toHexString((layout.columns() + "|" + layout.typeNames()).hashCode());
        try {
            ensureStage(c, stage, targets.get(0).at(), t);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            org.postgresql.copy.CopyIn in = copy.copyIn("COPY " + stage + " (" + cols + ", " + TAG + ") FROM STDIN");
            long staged = 0;
            try {
                ByteArrayOutputStream buf = new ByteArrayOutputStream(CHUNK + 1024);
                for (int i = 0; i < targets.size(); i++) {
                    byte[] tag = ("\t" + i + "\n").getBytes(StandardCharsets.US_ASCII);
                    for (TableRows.Row r : targets.get(i).rows()) {
                        if (r.line() == null) {
                            throw new SQLException("only rows read as COPY text are staged: " + t.name(), "XX000");
                        }
                        buf.write(r.line(), 0, r.line().length);
                        buf.write(tag, 0, tag.length);
                        staged++;
                        if (buf.size() >= CHUNK) {
                            in.writeToCopy(buf.toByteArray(), 0, buf.size());
                            buf.reset();
                        }
                    }
                }
                if (buf.size() > 0) {
                    in.writeToCopy(buf.toByteArray(), 0, buf.size());
                }
                long written = in.endCopy();
                if (written != staged) {
                    throw new SQLException("COPY into " + stage + " wrote " + written + " rows of " + staged, "XX000");
                }
            } finally {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            }
            try (Statement st = c.createStatement()) {
                for (int i = 0; i < targets.size(); i++) {
                    st.addBatch(
                            "INSERT INTO " + TableRows.qualified(targets.get(i).at(), t) + " (" + cols + ") SELECT "
                                    + cols + " FROM " + stage + " WHERE " + TAG + " = " + i);
                }
                int[] counts = st.executeBatch();
                for (int i = 0; i < targets.size(); i++) {
                    int want = targets.get(i).rows().size();
                    if (counts[i] != want) {
                        throw new SQLException(
                                "INSERT into "
                                        + TableRows.qualified(targets.get(i).at(), t) + " from " + stage + " wrote "
                                        + counts[i] + " rows of " + want,
                                "XX000");
                    }
                }
            }
        } catch (SQLException e) {
            // The transaction that created the stage may roll back with it: take nothing for granted next time.
            CREATED.remove(c);
            throw e;
        }
    }

    /** Forgets {@code c}'s stage tables: its transaction rolled back, and may have taken one with it. */
    static void forget(Connection c) {
        CREATED.remove(c);
    }

    private static void ensureStage(Connection c, String stage, ShardLocation like, TableRule t) throws SQLException {
        Set<String> known = CREATED.computeIfAbsent(c, k -> new HashSet<>());
        if (known.contains(stage)) {
            return;
        }
        try (Statement st = c.createStatement()) {
            // LIKE takes the columns and their types (and NOT NULL), none of the target's indexes or defaults.
            st.execute("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " + TableRows.qualified(like, t) + ", "
                    + TAG + " int NOT NULL) ON COMMIT DELETE ROWS");
        }
        known.add(stage);
    }
}
