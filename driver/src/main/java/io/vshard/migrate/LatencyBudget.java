package io.vshard.migrate;

import io.vshard.engine.LiveLatency;

/**
 * How long the migrator rests between batches so that the application's statements through its router keep
 * their p95 within {@code budget} times what it was before the migrator began, reads and writes each (a write,
 * journaled during a migration, takes longer than a point read: a p95 over both would follow the writes alone).
 * After each closed window of {@link LiveLatency} in which either kind is over budget the rest doubles (from one
 * batch's duration up to {@value #MAX_LEVEL} times it); after each in which both are well under it, it halves,
 * down to none. With no statements beside it (an idle fleet, or traffic through other routers only) nothing is
 * measured and the migrator does not rest. Thread safe.
 */
final class LatencyBudget {
    /** The most a batch's rest may be, in batch durations. */
    static final double MAX_LEVEL = 8;

    /** Traffic older than this is no traffic: the migrator stops resting for it. */
    static final long STALE_NANOS = 4 * LiveLatency.WINDOW_NANOS;

    private final double budget;
    private final long[] baselines;
    private final long[] lastWindowEnds;
    private double level;

    /**
     * A budget of {@code budget} times the baseline p95 of each of {@code kinds} statement kinds; 0 or less:
     * never rest for latency.
     */
    LatencyBudget(double budget, int kinds) {
        this.budget = budget;
        this.baselines = new long[kinds];
        this.lastWindowEnds = new long[kinds];
        java.util.Arrays.fill(baselines, -1);
    }

    /** The factor over the baseline p95 allowed. */
    double budget() {
        return budget;
    }

    /** The current rest, in batch durations. */
    synchronized double level() {
        return level;
    }

    /**
     * Takes {@code p95Nanos} (a median over windows with no migrator work) as kind {@code kind}'s p95 before the
     * migrator; -1: unknown, that kind is not watched.
     */
    synchronized void baseline(int kind, long p95Nanos) {
        baselines[kind] = p95Nanos;
    }

    /**
     * The rest after the next batch, in batch durations, given each kind's window that closed last
     * ({@code null}: none) at {@code nowNanos}. Each closed window is acted on once.
     */
    synchronized double rest(LiveLatency.Ended[] last, long nowNanos) {
        if (budget <= 0) {
            return 0;
        }
        boolean fresh = false;
        boolean measured = false;
        double worst = 0;
        for (int k = 0; k < baselines.length; k++) {
            LiveLatency.Ended e = last[k];
            if (baselines[k] <= 0 || e == null || nowNanos - e.endNanos() > STALE_NANOS) {
                continue;
            }
            measured = true;
            if (e.endNanos() == lastWindowEnds[k] || e.statements() < LiveLatency.MIN_STATEMENTS) {
                continue;
            }
            lastWindowEnds[k] = e.endNanos();
            fresh = true;
            worst = Math.max(worst, e.p95Nanos() / (double) baselines[k]);
        }
        if (!measured) {
            level = 0;
        } else if (fresh && worst > budget) {
            level = level == 0 ? 1 : Math.min(MAX_LEVEL, level * 2);
        } else if (fresh && worst < budget * 0.8) {
            level = level <= 0.5 ? 0 : level / 2;
        }
        return level;
    }
}
