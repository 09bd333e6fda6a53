package io.vshard.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Point select and single-row insert as an application does them (borrow a pooled connection, prepare, execute,
 * close), through each target over the same 64 shards. {@code raw} knows the shard itself and names its schema.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DriverBench {
    static final int SHARDS = 64;
    static final int ROWS_PER_SHARD = 200;
    static final String SELECT = "SELECT amount, note FROM %s WHERE creator_id = ? AND payment_id = ?";
    static final String INSERT = "INSERT INTO %s (payment_id, creator_id, amount, note) VALUES (?, ?, ?, ?)";

    @Param({"postgresql", "h2"})
    public String backend;

    @Param({"raw", "vshard", "shardingsphere"})
    public String target;

    private BenchFleet fleet;
    private DataSource ds;
    private String[] selects;
    private String[] inserts;
    // Distinct from every earlier fork's ids: a fork inserts far fewer than 100 000 rows per second of wall time.
    private final AtomicLong nextId = new AtomicLong((System.currentTimeMillis() - 1_700_000_000_000L) * 100_000L);

    /** Per-thread random keys. */
    @State(Scope.Thread)
    public static class Keys {
        final SplittableRandom random =
                new SplittableRandom(Thread.currentThread().getId());
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        fleet = Targets.fleet(backend, "bench.pg.url", SHARDS, ROWS_PER_SHARD);
        ds = Targets.open(target, fleet);
        selects = new String[SHARDS];
        inserts = new String[SHARDS];
        for (int s = 0; s < SHARDS; s++) {
            String table = target.equals("raw") ? "\"" + BenchFleet.schema(s) + "\".payments" : "payments";
            selects[s] = String.format(SELECT, table);
            inserts[s] = String.format(INSERT, table);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        Targets.close(ds);
    }

    @Benchmark
    public void pointSelect(Keys keys, Blackhole bh) throws SQLException {
        long p = SHARDS + keys.random.nextLong(fleet.rows());
        long creator = p % BenchFleet.CREATORS;
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(selects[(int) (creator % SHARDS)])) {
            ps.setLong(1, creator);
            ps.setLong(2, p);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("payment " + p + " not found through " + target);
                }
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
            }
        }
    }

    @Benchmark
    public int insert(Keys keys) throws SQLException {
        long id = nextId.getAndIncrement();
        long creator = keys.random.nextInt(BenchFleet.CREATORS);
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
