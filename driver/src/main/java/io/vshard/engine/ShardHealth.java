package io.vshard.engine;

import io.vshard.control.RouterHealth;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-data-source statement latencies and errors since the last heartbeat: what the manifest's health
 * triggers (p95 latency, error rate) are evaluated on. Thread safe; recording takes no lock.
 */
final class ShardHealth {
    private static final int SAMPLES = 1024;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final LiveLatency reads = new LiveLatency();
    private final LiveLatency writes = new LiveLatency();

    void record(String dataSource, long nanos, boolean failed) {
        windows.computeIfAbsent(dataSource, k -> new Window()).add(nanos, failed);
    }

    /** Records a statement, and its latency by kind for a migrator in this process when it succeeded. */
    void record(String dataSource, long nanos, boolean failed, boolean write) {
        record(dataSource, nanos, failed);
        if (!failed) {
            (write ? writes : reads).record(nanos);
        }
    }

    /**
     * The latency of the statements that read ({@code write} false) or wrote, in short windows (see LiveLatency):
     * apart, since a write (journaled during a migration) takes longer than a point read, and a p95 over both
     * would follow the writes alone.
     */
    LiveLatency live(boolean write) {
        return write ? writes : reads;
    }

    /**
     * The worst p95 and the worst error rate of any data source since the last call, and resets the counters. The
     * detail names the data source of each; when they differ, both ({@code "db_b (p95), db_a (error rate)"}).
     */
    RouterHealth drain() {
        long worstP95 = 0;
        double worstRate = 0;
        String slowest = "";
        String failing = "";
        for (Map.Entry<String, Window> e : windows.entrySet()) {
            long[] p = e.getValue().drain();
            double rate = p[1] / (double) Math.max(1, p[2]);
            if (p[0] > worstP95 || slowest.isEmpty() && p[2] > 0) {
                worstP95 = p[0];
                slowest = e.getKey();
            }
            if (rate > worstRate) {
                worstRate = rate;
                failing = e.getKey();
            }
        }
        if (failing.isEmpty() || failing.equals(slowest)) {
            return new RouterHealth(worstP95, worstRate, slowest);
        }
        if (worstP95 == 0) {
            return new RouterHealth(worstP95, worstRate, failing);
        }
        return new RouterHealth(worstP95, worstRate, slowest + " (p95), " + failing + " (error rate)");
    }

    /**
     * One data source's samples: up to {@value #SAMPLES} latencies since the last drain, each written to a random
     * slot. Lock-free and without a shared counter to increment, since every statement of every session on the
     * data source records here (one atomic counter was a cache line all threads wrote); a drain racing with
     * appends may miss or count a statement twice, and a slot written twice keeps one of them, which a p95 and an
     * error rate tolerate.
     */
    private static final class Window {
        private static final long EMPTY = -1;
        private final AtomicLongArray samples = new AtomicLongArray(SAMPLES);
        private final LongAdder count = new LongAdder();
        private final LongAdder errors = new LongAdder();

        Window() {
            for (int i = 0; i < SAMPLES; i++) {
                samples.set(i, EMPTY);
            }
        }

        void add(long nanos, boolean failed) {
            samples.lazySet(ThreadLocalRandom.current().nextInt(SAMPLES), Math.max(0, nanos));
            count.increment();
            if (failed) {
                errors.increment();
            }
        }

        /** {p95 millis, errors, statements}. */
        long[] drain() {
            long total = count.sumThenReset();
            long[] copy = new long[SAMPLES];
            int n = 0;
            for (int i = 0; i < SAMPLES; i++) {
                long v = samples.getAndSet(i, EMPTY);
                if (v != EMPTY) {
                    copy[n++] = v;
                }
            }
            long p95 = 0;
            if (n > 0) {
                Arrays.sort(copy, 0, n);
                p95 = copy[(int) Math.min(n - 1, Math.ceil(n * 0.95) - 1)] / 1_000_000L;
            }
            return new long[] {p95, errors.sumThenReset(), total};
        }
    }
}
