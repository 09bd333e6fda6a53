package io.vshard.engine;

import io.vshard.control.RouterHealth;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-data-source statement latencies and errors since the last heartbeat: what the manifest's health
 * triggers (p95 latency, error rate) are evaluated on. Thread safe; recording is a short synchronized append.
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

    private static final class Window {
        private final long[] samples = new long[SAMPLES];
        private int count;
        private long total;
        private long errors;

        synchronized void add(long nanos, boolean failed) {
            samples[count % SAMPLES] = nanos;
            count++;
            total++;
            if (failed) {
                errors++;
            }
        }

        /** {p95 millis, errors, statements}. */
        synchronized long[] drain() {
            int n = Math.min(count, SAMPLES);
            long p95 = 0;
            if (n > 0) {
                long[] copy = Arrays.copyOf(samples, n);
                Arrays.sort(copy);
                p95 = copy[(int) Math.min(n - 1, Math.ceil(n * 0.95) - 1)] / 1_000_000L;
            }
            long[] out = {p95, errors, total};
            count = 0;
            total = 0;
            errors = 0;
            return out;
        }
    }
}
