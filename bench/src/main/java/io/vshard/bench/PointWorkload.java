package io.vshard.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The point workload as an application runs it (borrow a pooled connection, prepare, execute, read, close)
 * through one target over the 64 shards of a {@link BenchFleet}; {@code raw} knows the shard itself and names
 * its schema. Thread safe.
 */
final class PointWorkload {
    static final int SHARDS = 64;
    static final int ROWS_PER_SHARD = 200;
    static final String SELECT = "SELECT amount, note FROM %s WHERE creator_id = ? AND payment_id = ?";
    static final String INSERT = "INSERT INTO %s (payment_id, creator_id, amount, note) VALUES (?, ?, ?, ?)";

    private final BenchFleet fleet;
    private final String target;
    private final DataSource ds;
    private final String[] selects = new String[SHARDS];
    private final String[] inserts = new String[SHARDS];
    // Distinct from every earlier run's ids: a run inserts far fewer than 100 000 rows per second of wall time.
    private final AtomicLong nextId = new AtomicLong((System.currentTimeMillis() - 1_700_000_000_000L) * 100_000L);

    PointWorkload(BenchFleet fleet, String target, DataSource ds) {
        this.fleet = fleet;
        this.target = target;
        this.ds = ds;
        for (int s = 0; s < SHARDS; s++) {
            String table = target.equals("raw") ? "\"" + BenchFleet.schema(s) + "\".payments" : "payments";
            selects[s] = String.format(SELECT, table);
            inserts[s] = String.format(INSERT, table);
        }
    }

    DataSource dataSource() {
        return ds;
    }

    /** Reads one random payment; returns its amount plus the length of its note. */
    long pointSelect(SplittableRandom random) throws SQLException {
        long p = SHARDS + random.nextLong(fleet.rows());
        long creator = p % BenchFleet.CREATORS;
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(selects[(int) (creator % SHARDS)])) {
            ps.setLong(1, creator);
            ps.setLong(2, p);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("payment " + p + " not found through " + target);
                }
                return rs.getInt(1) + rs.getString(2).length();
            }
        }
    }

    /** Inserts one payment of a random creator, auto-committed; returns the update count. */
    int insert(SplittableRandom random) throws SQLException {
        long id = nextId.getAndIncrement();
        long creator = random.nextInt(BenchFleet.CREATORS);
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(inserts[(int) (creator % SHARDS)])) {
            ps.setLong(1, id);
            ps.setLong(2, creator);
            ps.setInt(3, (int) (id % 100_000));
            ps.setString(4, "bench");
            return ps.executeUpdate();
        }
    }
}
