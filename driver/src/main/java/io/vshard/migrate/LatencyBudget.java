package io.vshard.migrate;

import io.vshard.engine.LiveLatency;

/**
 * How long the migrator rests between batches so that the application's statements through its router keep
 * their p95 within {@code budget} times what it was before the migrator began, reads and writes each (a write,
 * journaled during a migration, takes longer than a point read: a p95 over both would follow the writes alone).
 * After each closed window of {@link LiveLatency} in which either kind is over budget the rest doubles (from one
 * batch's duration up to {@value #MAX_LEVEL} times it); after each in which both are well under it, it halves,
 * down to none. With no statements beside it (an idle fleet, or traffic through other routers only) nothing is
 * measured and the migrator does not rest.
 *
 * <p>When the statements stay over budget for {@value #SETTLE_WINDOWS} windows in a row while the migrator rests
 * its most, resting is not what they are waiting for (the ledger cutover made reads look in two places, or the
 * application's own load changed): the median p95 of those windows becomes the baseline, so the migrator goes back
 * to work instead of crawling for the rest of the migration. Thread safe.
 */
final class LatencyBudget {
    /**
     * The most a batch's rest may be, in batch durations. At 8 (sessions 12-13) a migrator was busy a ninth of the
     * time at least, and on two cores the point reads beside it stayed at 1.4-1.6 times their p95 before, over the
     * budget of 1.3, with the migrator resting its most: the cap, not the budget, set the pace (session 14).
     */
    static final double MAX_LEVEL = 32;

    /** The most {@link #lanes} ever says, whatever the caller allows. */
    private static final int MAX_LANES = 16;

    /** Windows in a row over budget at the most rest after which the baseline moves to their p95. */
    static final int SETTLE_WINDOWS = 40;

    /**
     * Windows in a row well under budget with no rest after which one more move may run beside the statements
     * (see {@link #lanes}): a second of them.
     */
    static final int GROW_WINDOWS = 4;

    /** Traffic older than this is no traffic: the migrator stops resting for it. */
    static final long STALE_NANOS = 4 * LiveLatency.WINDOW_NANOS;

    private final double budget;
    private final long[] baselines;
    private final long[] lastWindowEnds;
    private double level;
    private final long[][] overAtMost;
    private int settled;
    private int overCount;
    private int lanes = 1;
    private int underCount;

    /**
     * A budget of {@code budget} times the baseline p95 of each of {@code kinds} statement kinds; 0 or less:
     * never rest for latency.
     */
    LatencyBudget(double budget, int kinds) {
        this.budget = budget;
        this.baselines = new long[kinds];
        this.lastWindowEnds = new long[kinds];
        this.overAtMost = new long[kinds][SETTLE_WINDOWS];
        java.util.Arrays.fill(baselines, -1);
    }

    /**
     * Starts (or starts again after a pause) at the most rest while any kind has a baseline: the first windows
     * after the migrator begins are its busiest (indexes checked, the hottest cohorts), and from no rest the
     * doubling took a second to catch up with them. Under budget, the rest halves away in five windows.
     */
    synchronized void start() {
        level = 0;
        for (long b : baselines) {
            if (b > 0) {
                level = MAX_LEVEL;
            }
        }
        overCount = 0;
        lanes = 1;
        underCount = 0;
    }

    /**
     * How many moves may run side by side while the budget {@link #watching watches} statements beside the
     * migrator, at most {@code most}: one at first and again after any window over budget; one more after each
     * {@value #GROW_WINDOWS} windows in a row well under budget with no rest. Moves side by side burst together
     * and the rest of one does not leave the cores to the application, so a second move runs only while the
     * statements show the cores to spare; the first window over budget takes the migrator back to one move (the
     * moves running finish, resting as the budget says).
     */
    synchronized int lanes(int most) {
        return Math.max(1, Math.min(most, lanes));
    }

    /**
     * Whether statements ran beside the migrator lately ({@code last}: each kind's window that closed last) and
     * the budget watches them: then as many cohorts move at once as {@link #lanes} says.
     */
    synchronized boolean watching(LiveLatency.Ended[] last, long nowNanos) {
        if (budget <= 0) {
            return false;
        }
        for (int k = 0; k < baselines.length; k++) {
            if (baselines[k] > 0 && last[k] != null && nowNanos - last[k].endNanos() <= STALE_NANOS) {
                return true;
            }
        }
        return false;
    }

    /** How many times the baseline moved because resting did not bring the p95 back. */
    synchronized int settled() {
        return settled;
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
        long[] p95 = new long[baselines.length];
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
            p95[k] = e.p95Nanos();
            worst = Math.max(worst, e.p95Nanos() / (double) baselines[k]);
        }
        if (!measured) {
            level = 0;
            overCount = 0;
            lanes = 1;
            underCount = 0;
        } else if (fresh && worst > budget) {
            level = settledBecauseRestingDoesNotHelp(p95) ? 1 : level == 0 ? 1 : Math.min(MAX_LEVEL, level * 2);
            lanes = 1;
            underCount = 0;
        } else if (fresh && worst < budget * 0.8) {
            level = level <= 0.5 ? 0 : level / 2;
            overCount = 0;
            if (level == 0 && ++underCount >= GROW_WINDOWS) {
                lanes = Math.min(MAX_LANES, lanes + 1);
                underCount = 0;
            }
        } else if (fresh) {
            overCount = 0;
            underCount = 0;
        }
        return level;
    }

    /**
     * Counts a window over budget at the most rest; the {@value #SETTLE_WINDOWS}th in a row moves the baseline (to
     * the median of their p95s, never lower than it was) and returns {@code true}.
     */
    private boolean settledBecauseRestingDoesNotHelp(long[] p95) {
        if (level < MAX_LEVEL) {
            overCount = 0;
            return false;
        }
        for (int k = 0; k < p95.length; k++) {
            overAtMost[k][overCount] = p95[k];
        }
        if (++overCount < SETTLE_WINDOWS) {
            return false;
        }
        for (int k = 0; k < p95.length; k++) {
            long[] seen = java.util.Arrays.stream(overAtMost[k])
                    .filter(v -> v > 0)
                    .sorted()
                    .toArray();
            if (seen.length > 0 && baselines[k] > 0) {
                baselines[k] = Math.max(baselines[k], seen[seen.length / 2]);
            }
        }
        overCount = 0;
        settled++;
        return true;
    }
}
