package io.vshard.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Queries that touch all 128 shards: a top-100 {@code ORDER BY ... LIMIT} (a k-way merge of 128 sorted streams)
 * and a full-scan aggregate (partial aggregates combined). {@code raw} runs the same query on one unsharded table
 * holding every row. The peak heap of each trial (run in a small fixed heap) goes to {@code bench.out}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FanOutBench {
    static final int SHARDS = 128;
    static final int ROWS_PER_SHARD = 500;

    @Param({"postgresql", "h2"})
    public String backend;

    @Param({"raw", "vshard"})
    public String target;

    private DataSource ds;
    private String table;
    private long peakHeap;

    @Setup(Level.Trial)
    public void open() throws Exception {
        BenchFleet fleet = Targets.fleet(backend, "bench.pgfan.url", SHARDS, ROWS_PER_SHARD);
        ds = Targets.open(target, fleet);
        table = target.equals("raw") ? "payments_all" : "payments";
    }

    @Setup(Level.Iteration)
    public void resetPeak() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    @TearDown(Level.Iteration)
    public void readPeak() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                used += pool.getPeakUsage().getUsed();
            }
        }
        peakHeap = Math.max(peakHeap, used);
    }

    @TearDown(Level.Trial)
    public void close(BenchmarkParams params) throws Exception {
        Targets.close(ds);
        String out = System.getProperty("bench.out");
        if (out != null) {
            String query = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            String line = String.format(Locale.ROOT, "%s %s %s %d%n", query, backend, target, peakHeap);
            Files.writeString(
                    Path.of(out), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }
    }

    @Benchmark
    public void orderByLimit(Blackhole bh) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT payment_id, creator_id, amount FROM " + table
                        + " ORDER BY amount DESC, payment_id LIMIT 100")) {
            int n = 0;
            while (rs.next()) {
                bh.consume(rs.getLong(1));
                bh.consume(rs.getInt(3));
                n++;
            }
            if (n != 100) {
                throw new IllegalStateException("expected 100 rows, got " + n);
            }
        }
    }

    @Benchmark
    public void aggregate(Blackhole bh) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT COUNT(*), SUM(amount), MIN(amount), MAX(amount) FROM " + table)) {
            rs.next();
            if (rs.getLong(1) != (long) SHARDS * ROWS_PER_SHARD) {
                throw new IllegalStateException("expected every row counted, got " + rs.getLong(1));
            }
            bh.consume(rs.getLong(2));
            bh.consume(rs.getInt(3));
        }
    }
}
