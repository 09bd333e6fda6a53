package io.vshard.demo;

import io.vshard.manifest.placement.LogicalShard;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Operations and their latency per logical shard, as the demo's clients measured them, with rates over a
 * sliding window of the last samples. Recording is lock free; {@link #sample()} is called by one thread.
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
        final long[][] history = new long[WINDOW][];
        int next;
        volatile Reading reading;
    }

    /**
     * Samples a rate spans: with a sample every half second, rates are over the last ten seconds, enough
     * operations per shard that a cool shard does not look hot by chance when the traffic is slow.
     */
    private static final int WINDOW = 20;

    private final Map<Long, Counters> counters = new ConcurrentHashMap<>();

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
        counters.forEach((key, c) -> {
            long w = c.writes.sum();
            long ops = w + c.reads.sum();
            long nanos = c.nanos.sum();
            // The oldest sample in the window is the base of the rates.
            long[] base = c.history[c.next];
            if (base == null) {
                base = c.history[0] == null ? new long[] {now, w, ops, nanos} : c.history[0];
            }
            c.history[c.next] = new long[] {now, w, ops, nanos};
            c.next = (c.next + 1) % WINDOW;
            double seconds = Math.max(0.25, (now - base[0]) / 1e9);
            long dOps = ops - base[2];
            double latency = dOps == 0 ? 0 : (nanos - base[3]) / 1e6 / dOps;
            c.reading = new Reading(
                    (int) (key >> 32), (int) (long) key, w, ops - w, (w - base[1]) / seconds, dOps / seconds, latency);
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
