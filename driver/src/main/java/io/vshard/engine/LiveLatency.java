package io.vshard.engine;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The latency of the application's statements through this router, in short consecutive windows: what a migrator
 * running in the same process compares with the latency before it began, to yield to live traffic (the
 * migrator's own connections are not the engine's, so they are not counted). Thread safe; recording takes no lock
 * except to close a window, a few times a second.
 */
public final class LiveLatency {
    /** How long one window lasts. */
    public static final long WINDOW_NANOS = 250_000_000L;

    /** Fewer statements than this in a window make its p95 too noisy to act on. */
    public static final int MIN_STATEMENTS = 20;

    private static final int SAMPLES = 256;
    private static final int KEPT = 40;

    private volatile Window current;
    private final ArrayDeque<Ended> ended = new ArrayDeque<>();

    /** A closed window: when it started and ended ({@link System#nanoTime()}), its p95 and statement count. */
    public record Ended(long startNanos, long endNanos, long p95Nanos, long statements) {}

    LiveLatency() {
        this(System.nanoTime());
    }

    LiveLatency(long nowNanos) {
        current = new Window(nowNanos);
    }

    /** Records one statement that took {@code nanos}, finished at {@link System#nanoTime()}. */
    void record(long nanos) {
        record(nanos, System.nanoTime());
    }

    void record(long nanos, long nowNanos) {
        Window w = current;
        if (nowNanos - w.start >= WINDOW_NANOS) {
            w = close(nowNanos);
        }
        w.add(nanos);
    }

    private synchronized Window close(long nowNanos) {
        Window w = current;
        if (nowNanos - w.start < WINDOW_NANOS) {
            return w;
        }
        long[] s = w.samples();
        long p95 = s.length == 0 ? 0 : s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.95) - 1)];
        ended.addLast(new Ended(w.start, nowNanos, p95, w.count.sum()));
        while (ended.size() > KEPT) {
            ended.removeFirst();
        }
        Window next = new Window(nowNanos);
        current = next;
        return next;
    }

    /** The window that closed last, or {@code null} when none has. */
    public synchronized Ended last() {
        return ended.peekLast();
    }

    /**
     * The median p95 of the windows that lay between {@code fromNanos} and {@code toNanos} and saw at least
     * {@value #MIN_STATEMENTS} statements, or -1 when fewer than three did: a baseline that one slow window does
     * not move.
     */
    public synchronized long medianP95Between(long fromNanos, long toNanos) {
        long[] p = ended.stream()
                .filter(e -> e.startNanos() >= fromNanos && e.endNanos() <= toNanos && e.statements() >= MIN_STATEMENTS)
                .mapToLong(Ended::p95Nanos)
                .sorted()
                .toArray();
        return p.length < 3 ? -1 : p[p.length / 2];
    }

    /** One window's samples: up to {@value #SAMPLES} latencies, each written to a random slot (as ShardHealth). */
    private static final class Window {
        private static final long EMPTY = -1;
        final long start;
        final AtomicLongArray slots = new AtomicLongArray(SAMPLES);
        final LongAdder count = new LongAdder();

        Window(long start) {
            this.start = start;
            for (int i = 0; i < SAMPLES; i++) {
                slots.set(i, EMPTY);
            }
        }

        void add(long nanos) {
            slots.lazySet(ThreadLocalRandom.current().nextInt(SAMPLES), Math.max(0, nanos));
            count.increment();
        }

        /** The recorded latencies, sorted. */
        long[] samples() {
            long[] out = new long[SAMPLES];
            int n = 0;
            for (int i = 0; i < SAMPLES; i++) {
                long v = slots.get(i);
                if (v != EMPTY) {
                    out[n++] = v;
                }
            }
            long[] s = Arrays.copyOf(out, n);
            Arrays.sort(s);
            return s;
        }
    }
}
