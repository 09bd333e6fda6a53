package io.vshard.engine;

import io.vshard.control.RouterHealth;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-data-source statement latencies and errors since the last heartbeat: what the manifest's health
 * triggers (p95 latency, error rate) are evaluated on. Thread safe; recording takes no lock.
 */
final class ShardHealth {
    private static final int SAMPLES = 1024;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    void record(String dataSource, long nanos, boolean failed) {
        windows.computeIfAbsent(dataSource, k -> new Window()).add(nanos, failed);
    }

    /** The worst data source's p95 and error rate since the last call, and resets the counters. */
    RouterHealth drain() {
        long worstP95 = 0;
        double worstRate = 0;
        String detail = "";
        for (Map.Entry<String, Window> e : windows.entrySet()) {
            long[] p = e.getValue().drain();
            if (p[0] > worstP95 || p[1] / (double) Math.max(1, p[2]) > worstRate) {
                detail = e.getKey();
            }
            worstP95 = Math.max(worstP95, p[0]);
            worstRate = Math.max(worstRate, p[1] / (double) Math.max(1, p[2]));
        }
        return new RouterHealth(worstP95, worstRate, detail);
    }

    /**
     * One data source's samples: a ring of the latest {@value #SAMPLES} latencies. Lock-free, since every
     * statement of every session on the data source records here; a drain racing with appends may miss or
     * count a statement twice, which a p95 and an error rate tolerate.
     */
    private static final class Window {
        private final AtomicLongArray samples = new AtomicLongArray(SAMPLES);
        private final AtomicLong count = new AtomicLong();
        private final LongAdder errors = new LongAdder();

        void add(long nanos, boolean failed) {
            samples.set((int) (count.getAndIncrement() % SAMPLES), nanos);
            if (failed) {
                errors.increment();
            }
        }

        /** {p95 millis, errors, statements}. */
        long[] drain() {
            long total = count.getAndSet(0);
            int n = (int) Math.min(total, SAMPLES);
            long p95 = 0;
            if (n > 0) {
                long[] copy = new long[n];
                for (int i = 0; i < n; i++) {
                    copy[i] = samples.get(i);
                }
                Arrays.sort(copy);
                p95 = copy[(int) Math.min(n - 1, Math.ceil(n * 0.95) - 1)] / 1_000_000L;
            }
            return new long[] {p95, errors.sumThenReset(), total};
        }
    }
}
