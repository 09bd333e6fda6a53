package io.vshard.bench;

import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/**
 * Point select and single-row insert as an application does them ({@link PointWorkload}), through each target
 * over the same 64 shards, one JMH trial per target (with {@code -prof gc} for allocation per operation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DriverBench {
    static final int SHARDS = PointWorkload.SHARDS;
    static final int ROWS_PER_SHARD = PointWorkload.ROWS_PER_SHARD;

    @Param({"postgresql", "h2"})
    public String backend;

    @Param({"raw", "vshard", "shardingsphere"})
    public String target;

    private PointWorkload workload;

    /** Per-thread random keys. */
    @State(Scope.Thread)
    public static class Keys {
        final SplittableRandom random =
                new SplittableRandom(Thread.currentThread().getId());
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        BenchFleet fleet = Targets.fleet(backend, "bench.pg.url", SHARDS, ROWS_PER_SHARD);
        workload = new PointWorkload(fleet, target, Targets.open(target, fleet));
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        Targets.close(workload.dataSource());
    }

    @Benchmark
    public long pointSelect(Keys keys) throws SQLException {
        return workload.pointSelect(keys.random);
    }

    @Benchmark
    public int insert(Keys keys) throws SQLException {
        return workload.insert(keys.random);
    }
}
