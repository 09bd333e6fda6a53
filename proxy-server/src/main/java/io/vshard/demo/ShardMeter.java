package io.vshard.demo;

import io.vshard.manifest.placement.LogicalShard;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Operations and their latency per logical shard, as the demo's clients measured them, with rates over a
 * sliding window of the last samples. Recording is lock free; {@link #sample()} is called by one thread.
 *
 * <p>The window is chosen per manifest version: the shortest span of at least {@link #MIN_WINDOW} samples in
 * which that version's shards together saw {@link #MIN_VERSION_OPS} operations, up to {@link #MAX_WINDOW}
 * samples. On a slow or busy machine a cool shard that happened to get a handful of operations in ten seconds
 * would otherwise look as hot as a truly hot one; the heat map judges a layout, so it needs enough operations
 * per version for the shares to mean something.
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

    /** Samples a rate spans at least: with a sample every half second, ten seconds. */
    static final int MIN_WINDOW = 20;

    /** Samples a rate spans at most: a minute. */
    static final int MAX_WINDOW = 120;

    /** Operations of one version that a window should hold before its shares are trusted. */
    static final long MIN_VERSION_OPS = 3_000;

    private static final int SLOTS = MAX_WINDOW + 1;

    private static final class Counters {
        final LongAdder writes = new LongAdder();
        final LongAdder reads = new LongAdder();
        final LongAdder nanos = new LongAdder();
        /** {writes, ops, nanos} at each recorded sample, by sample number modulo {@link #SLOTS}. */
        final long[][] history = new long[SLOTS][];
        /** The first sample number recorded; before it the counts were zero. */
        long since = -1;

        volatile Reading reading;

        long[] at(long sample) {
            return since < 0 || sample < since ? ZERO : history[(int) (sample % SLOTS)];
        }
    }

    private static final long[] ZERO = {0, 0, 0};

    private final Map<Long, Counters> counters = new ConcurrentHashMap<>();
    private final long[] times = new long[SLOTS];
    private long samples;

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
    void sample() {
        sample(System.nanoTime());
    }

    synchronized void sample(long now) {
        long n = samples++;
        int slot = (int) (n % SLOTS);
        times[slot] = now;
        Map<Integer, Map<Long, Counters>> byVersion = new HashMap<>();
        counters.forEach((key, c) -> {
            long w = c.writes.sum();
            c.history[slot] = new long[] {w, w + c.reads.sum(), c.nanos.sum()};
            if (c.since < 0) {
                c.since = n;
            }
            byVersion.computeIfAbsent((int) (key >> 32), v -> new HashMap<>()).put(key, c);
        });
        byVersion.values().forEach(shards -> {
            long base = base(n, shards);
            double seconds = Math.max(0.25, (now - times[(int) (base % SLOTS)]) / 1e9);
            shards.forEach((key, c) -> {
                long[] cur = c.history[slot];
                long[] old = c.at(base);
                long dOps = cur[1] - old[1];
                double latency = dOps == 0 ? 0 : (cur[2] - old[2]) / 1e6 / dOps;
                c.reading = new Reading(
                        (int) (key >> 32),
                        (int) (long) key,
                        cur[0],
                        cur[1] - cur[0],
                        (cur[0] - old[0]) / seconds,
                        dOps / seconds,
                        latency);
            });
        });
    }

    /** The sample the rates of one version's shards are taken from, at sample {@code n}. */
    private static long base(long n, Map<Long, Counters> shards) {
        int slot = (int) (n % SLOTS);
        long longest = Math.min(MAX_WINDOW, n);
        for (long k = Math.min(MIN_WINDOW, longest); k < longest; k++) {
            long total = 0;
            for (Counters c : shards.values()) {
                total += c.history[slot][1] - c.at(n - k)[1];
            }
            if (total >= MIN_VERSION_OPS) {
                return n - k;
            }
        }
        return n - longest;
    }

    /** The latest reading of every shard that saw traffic, keyed by {@code version << 32 | shard}. */
    Map<Long, Reading> readings() {
        Map<Long, Reading> out = new TreeMap<>();
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
