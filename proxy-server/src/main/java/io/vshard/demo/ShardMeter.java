package io.vshard.demo;

import io.vshard.manifest.placement.LogicalShard;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Operations and their latency per logical shard, as the demo's clients measured them, with rates over the
 * last sampling interval. Recording is lock free; {@link #sample()} is called by one thread.
 */
final class ShardMeter {
    /** One logical shard's figures at a sample. */
    record Reading(
            int version,
            int shard,
            long writes,
            long reads,
            double writesPerSecond,
            double opsPerSecond,
            double meanLatencyMillis) {}

    private static final class Counters {
        final LongAdder writes = new LongAdder();
        final LongAdder reads = new LongAdder();
        final LongAdder nanos = new LongAdder();
        long lastWrites;
        long lastOps;
        long lastNanos;
        volatile Reading reading;
    }

    private final Map<Long, Counters> counters = new ConcurrentHashMap<>();
    private long lastSample = System.nanoTime();

    void write(LogicalShard s, long nanos) {
        Counters c = of(s);
        c.writes.increment();
        c.nanos.add(nanos);
    }

    void read(LogicalShard s, long nanos) {
        Counters c = of(s);
        c.reads.increment();
        c.nanos.add(nanos);
    }

    /** Computes the rates since the previous sample; readers of {@link #readings()} see them afterwards. */
    synchronized void sample() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastSample) / 1e9);
        lastSample = now;
        counters.forEach((key, c) -> {
            long w = c.writes.sum();
            long ops = w + c.reads.sum();
            long nanos = c.nanos.sum();
            long dOps = ops - c.lastOps;
            double latency = dOps == 0 ? 0 : (nanos - c.lastNanos) / 1e6 / dOps;
            c.reading = new Reading(
                    (int) (key >> 32),
                    (int) (long) key,
                    w,
                    ops - w,
                    (w - c.lastWrites) / seconds,
                    dOps / seconds,
                    latency);
            c.lastWrites = w;
            c.lastOps = ops;
            c.lastNanos = nanos;
        });
    }

    /** The latest reading of every shard that saw traffic, keyed by {@code version << 32 | shard}. */
    Map<Long, Reading> readings() {
        Map<Long, Reading> out = new java.util.TreeMap<>();
        counters.forEach((k, c) -> {
            if (c.reading != null) {
                out.put(k, c.reading);
            }
        });
        return out;
    }

    static long key(int version, int shard) {
        return ((long) version << 32) | shard;
    }

    private Counters of(LogicalShard s) {
        return counters.computeIfAbsent(key(s.version(), s.shard()), k -> new Counters());
    }
}
