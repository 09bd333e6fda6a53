package io.vshard.demo;

import io.vshard.engine.LiveLatency;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The live statements' p95 through the demo's router before and during the migration, one statement kind (reads
 * or writes): what the migrator's latency budget keeps to, shown so a watcher sees what the migration cost the
 * traffic beside it.
 */
final class LiveP95 {
    private final LiveLatency latency;
    private final long before;
    private long[] during = new long[64];
    private int count;
    private long lastEnd;

    /** Takes the median p95 of the windows of the last eight seconds as the value before. */
    LiveP95(LiveLatency latency) {
        this.latency = latency;
        long now = System.nanoTime();
        this.before = latency.medianP95Between(now - TimeUnit.SECONDS.toNanos(8), now);
    }

    /** Records the window that closed last, if it is new and saw enough statements; call it several times a second. */
    void poll() {
        LiveLatency.Ended e = latency.last();
        if (e == null || e.endNanos() == lastEnd || e.statements() < LiveLatency.MIN_STATEMENTS) {
            return;
        }
        lastEnd = e.endNanos();
        if (count == during.length) {
            during = Arrays.copyOf(during, count * 2);
        }
        during[count++] = e.p95Nanos();
    }

    /** The median p95 before, in milliseconds; negative when too few windows were seen. */
    double beforeMillis() {
        return before / 1e6;
    }

    /** The median p95 of the windows polled, in milliseconds; negative when none were. */
    double duringMillis() {
        if (count == 0) {
            return -1;
        }
        long[] p = Arrays.copyOf(during, count);
        Arrays.sort(p);
        return p[count / 2] / 1e6;
    }
}
