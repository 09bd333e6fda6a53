package io.vshard.engine;

import io.vshard.manifest.placement.LogicalShard;
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
    private final Map<String, LongAdder> routes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LatencyHistogram> shards = new ConcurrentHashMap<>();
    // The histograms by shard, so a statement looks its histogram up once rather than its name and then the
    // histogram (shards named alike, such as a default shard under two versions, share one); bounded like the names.
    private final Map<LogicalShard, LatencyHistogram> byShard = new ConcurrentHashMap<>();
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
        LatencyHistogram h = byShard.get(shard);
        if (h == null) {
            if (byShard.size() >= SHARDS_KEPT) {
                byShard.clear();
            }
            h = shards.computeIfAbsent(ShardRunner.describe(shard), k -> new LatencyHistogram());
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
        new TreeMap<>(shards).forEach((shard, h) -> h.write(out, name, "shard=\"" + shard.replace("\"", "'") + "\""));
    }
}
