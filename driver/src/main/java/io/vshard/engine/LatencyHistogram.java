package io.vshard.engine;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus latency histogram with fixed bounds from 0.5 ms to 5 s: lock-free to record (two adds per
 * sample), rendered with cumulative buckets whose {@code +Inf} bucket equals the count. Thread safe; a scrape
 * may see values a few updates apart.
 */
public final class LatencyHistogram {
    private static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
    // The bounds in nanoseconds: a sample is placed with long comparisons, no division.
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];
    // The bounds as `le` labels in plain decimals ("0.0005", not Double.toString's "5.0E-4").
    private static final String[] BOUND_LABELS = new String[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUND_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
            BOUND_LABELS[i] = BigDecimal.valueOf(BOUNDS[i]).stripTrailingZeros().toPlainString();
        }
    }

    // One adder per bound plus one past the last: the count is their sum.
    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    /** An empty histogram. */
    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one sample of {@code nanos}. */
    public void record(long nanos) {
        sumNanos.add(nanos);
        int i = 0;
        while (i < BOUND_NANOS.length && nanos > BOUND_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
    }

    /** Samples recorded so far. */
    public long count() {
        long n = 0;
        for (LongAdder b : buckets) {
            n += b.sum();
        }
        return n;
    }

    /**
     * Appends the {@code _bucket}, {@code _sum} and {@code _count} lines of {@code name}; {@code labels} (such as
     * {@code shard="x"}, or empty) go before {@code le} in every line.
     */
    public void write(StringBuilder out, String name, String labels) {
        String open = labels.isEmpty() ? "{" : "{" + labels + ",";
        long cumulative = 0;
        for (int i = 0; i < BOUNDS.length; i++) {
            cumulative += buckets[i].sum();
            out.append(name).append("_bucket").append(open).append("le=\"").append(BOUND_LABELS[i]);
            out.append("\"} ").append(cumulative).append('\n');
        }
        long n = cumulative + buckets[BOUNDS.length].sum();
        out.append(name)
                .append("_bucket")
                .append(open)
                .append("le=\"+Inf\"} ")
                .append(n)
                .append('\n');
        String plain = labels.isEmpty() ? "" : "{" + labels + "}";
        out.append(name).append("_sum").append(plain).append(' ');
        out.append(String.format(Locale.ROOT, "%.6f", sumNanos.sum() / 1e9)).append('\n');
        out.append(name).append("_count").append(plain).append(' ').append(n).append('\n');
    }
}
