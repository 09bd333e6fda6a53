package io.vshard.engine;

import io.vshard.manifest.placement.LogicalShard;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * An engine's routing counters: statements by route kind, errors by SQLSTATE and a latency histogram per
 * logical shard, rendered in the Prometheus text format. Lock-free on the statement path; a scrape may see
 * values a few updates apart. Thread safe.
 */
public final class RouteMetrics {
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
    // The bucket bounds in nanoseconds: a statement is placed with long comparisons, no division.
    private static final long[] BUCKET_NANOS = new long[BUCKETS.length];

    static {
        for (int i = 0; i < BUCKETS.length; i++) {
            BUCKET_NANOS[i] = Math.round(BUCKETS[i] * 1e9);
        }
    }

    private final Map<String, LongAdder> routes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, Histogram> shards = new ConcurrentHashMap<>();
    // The histograms by shard, so a statement looks its histogram up once rather than its name and then the
    // histogram (shards named alike, such as a default shard under two versions, share one); bounded like the names.
    private final Map<LogicalShard, Histogram> byShard = new ConcurrentHashMap<>();
    private static final int SHARDS_KEPT = 65_536;

    /** Counts one statement routed as {@code kind} (for example {@code single_shard}, {@code fan_out}). */
    void routed(String kind) {
        counter(kind).increment();
    }

    /** The counter of {@code kind}, for a hot path that keeps it instead of looking it up per statement. */
    LongAdder counter(String kind) {
        return routes.computeIfAbsent(kind, k -> new LongAdder());
    }

    /** Counts one failed statement. */
    void failed(String sqlState) {
        errors.computeIfAbsent(sqlState == null ? "XX000" : sqlState, k -> new LongAdder())
                .increment();
    }

    /** Records one shard statement's execution time. */
    void shardStatement(LogicalShard shard, long nanos) {
        Histogram h = byShard.get(shard);
        if (h == null) {
            if (byShard.size() >= SHARDS_KEPT) {
                byShard.clear();
            }
            h = shards.computeIfAbsent(ShardRunner.describe(shard), k -> new Histogram());
            byShard.put(shard, h);
        }
        h.record(nanos);
    }

    /** Statements routed as {@code kind} so far. */
    public long count(String kind) {
        LongAdder a = routes.get(kind);
        return a == null ? 0 : a.sum();
    }

    /** Appends every metric in the Prometheus text exposition format. */
    public void writePrometheus(StringBuilder out) {
        out.append("# HELP vshard_queries_total Statements by route kind.\n");
        out.append("# TYPE vshard_queries_total counter\n");
        new TreeMap<>(routes).forEach((k, v) -> out.append("vshard_queries_total{route=\"")
                .append(k)
                .append("\"} ")
                .append(v.sum())
                .append('\n'));
        out.append("# HELP vshard_query_errors_total Failed statements by SQLSTATE.\n");
        out.append("# TYPE vshard_query_errors_total counter\n");
        new TreeMap<>(errors).forEach((k, v) -> out.append("vshard_query_errors_total{sqlstate=\"")
                .append(k)
                .append("\"} ")
                .append(v.sum())
                .append('\n'));
        String name = "vshard_shard_statement_seconds";
        out.append("# HELP ").append(name).append(" Execution time of statements per logical shard.\n");
        out.append("# TYPE ").append(name).append(" histogram\n");
        new TreeMap<>(shards).forEach((shard, h) -> h.write(out, name, shard.replace("\"", "'")));
    }

    /** One shard's latency histogram. */
    private static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void record(long nanos) {
            count.increment();
            sumNanos.add(nanos);
            for (int i = 0; i < BUCKET_NANOS.length; i++) {
                if (nanos <= BUCKET_NANOS[i]) {
                    buckets[i].increment();
                    return;
                }
            }
        }

        void write(StringBuilder out, String name, String shard) {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += buckets[i].sum();
                out.append(name).append("_bucket{shard=\"").append(shard).append("\",le=\"");
                out.append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
            }
            long n = count.sum();
            out.append(name).append("_bucket{shard=\"").append(shard).append("\",le=\"+Inf\"} ");
            out.append(n).append('\n');
            out.append(name).append("_sum{shard=\"").append(shard).append("\"} ");
            out.append(String.format(Locale.ROOT, "%.6f", sumNanos.sum() / 1e9)).append('\n');
            out.append(name)
                    .append("_count{shard=\"")
                    .append(shard)
                    .append("\"} ")
                    .append(n)
                    .append('\n');
        }
    }
}
