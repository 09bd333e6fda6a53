package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.engine.LiveLatency;
import org.junit.jupiter.api.Test;

class LatencyBudgetTest {
    private static final long W = LiveLatency.WINDOW_NANOS;
    private static final long MS = 1_000_000L;

    private static LiveLatency.Ended window(int i, long p95Millis) {
        return new LiveLatency.Ended(i * W, (i + 1) * W, p95Millis * MS, 100);
    }

    /** Reads at {@code readMillis}, writes at {@code writeMillis}, in window {@code i}, asked right after it. */
    private static double rest(LatencyBudget b, int i, long readMillis, long writeMillis) {
        return b.rest(new LiveLatency.Ended[] {window(i, readMillis), window(i, writeMillis)}, (i + 1) * W + 1);
    }

    private static LatencyBudget budget(double factor) {
        LatencyBudget b = new LatencyBudget(factor, 2);
        b.baseline(0, 10 * MS);
        b.baseline(1, 20 * MS);
        return b;
    }

    @Test
    void overBudgetTheRestDoublesUpToItsCapAndWellUnderItHalvesToNone() {
        LatencyBudget b = budget(1.5);
        assertThat(rest(b, 0, 10, 20)).isZero();
        assertThat(rest(b, 1, 16, 20)).isEqualTo(1);
        assertThat(rest(b, 2, 16, 20)).isEqualTo(2);
        assertThat(rest(b, 3, 16, 20)).isEqualTo(4);
        assertThat(rest(b, 4, 16, 20)).isEqualTo(8);
        assertThat(rest(b, 5, 16, 20)).isEqualTo(16);
        assertThat(rest(b, 6, 30, 20)).isEqualTo(LatencyBudget.MAX_LEVEL);
        assertThat(rest(b, 7, 30, 20)).as("capped").isEqualTo(LatencyBudget.MAX_LEVEL);
        // Between 0.8 and 1 times the budget: held.
        assertThat(rest(b, 8, 13, 20)).isEqualTo(32);
        halvesAwayUnderBudget(b, 9, 32);
    }

    @Test
    void itStartsAtTheMostRestWhenItHasABaselineAndHalvesItAwayUnderBudget() {
        LatencyBudget b = budget(1.5);
        b.start();
        assertThat(b.level()).isEqualTo(LatencyBudget.MAX_LEVEL);
        halvesAwayUnderBudget(b, 0, LatencyBudget.MAX_LEVEL);

        LatencyBudget unmeasured = new LatencyBudget(1.5, 2);
        unmeasured.start();
        assertThat(unmeasured.level()).isZero();
    }

    /** From window {@code w} on, windows well under budget halve the rest from {@code level} down to none. */
    private static void halvesAwayUnderBudget(LatencyBudget b, int w, double level) {
        for (double expected = level / 2; expected >= 0.5; expected /= 2) {
            assertThat(rest(b, w++, 11, 20)).isEqualTo(expected);
        }
        assertThat(rest(b, w, 11, 20)).isZero();
    }

    @Test
    void eitherKindOverBudgetCountsAndEachWindowIsActedOnOnce() {
        LatencyBudget b = budget(1.5);
        LiveLatency.Ended[] slowWrites = {window(0, 10), window(0, 40)};
        assertThat(b.rest(slowWrites, W + 1)).isEqualTo(1);
        assertThat(b.rest(slowWrites, W + 2)).as("the same windows again").isEqualTo(1);
        assertThat(rest(b, 1, 10, 40)).isEqualTo(2);
    }

    @Test
    void noTrafficNoBaselineOrNoBudgetMeansNoRest() {
        LatencyBudget b = budget(1.5);
        assertThat(rest(b, 0, 100, 100)).isEqualTo(1);
        // The last windows closed long ago: nobody is using this router now.
        assertThat(b.rest(new LiveLatency.Ended[] {window(0, 100), window(0, 100)}, W + LatencyBudget.STALE_NANOS + 1))
                .isZero();
        assertThat(b.rest(new LiveLatency.Ended[] {null, null}, 5 * W)).isZero();

        LatencyBudget unmeasured = new LatencyBudget(1.5, 2);
        assertThat(rest(unmeasured, 0, 100, 100)).isZero();

        LatencyBudget off = new LatencyBudget(0, 2);
        off.baseline(0, MS);
        off.baseline(1, MS);
        assertThat(rest(off, 0, 100, 100)).isZero();
    }

    /**
     * Reads at 4x their baseline until the rest is at its most, then for one window fewer than settling takes;
     * returns the next window's number.
     */
    private static int overBudgetAtTheMostRestForAllButOneWindow(LatencyBudget b) {
        int w = 0;
        while (b.level() < LatencyBudget.MAX_LEVEL) {
            rest(b, w++, 40, 20);
        }
        for (int i = 0; i < LatencyBudget.SETTLE_WINDOWS - 1; i++) {
            assertThat(rest(b, w++, 40, 20)).isEqualTo(LatencyBudget.MAX_LEVEL);
        }
        return w;
    }

    @Test
    void overBudgetAtTheMostRestForLongTheBaselineMovesToWhatTheStatementsTakeNow() {
        LatencyBudget b = budget(1.5);
        // Reads take 4x their baseline whatever the migrator does (two places after the ledger cutover).
        int w = overBudgetAtTheMostRestForAllButOneWindow(b);
        assertThat(b.settled()).isZero();
        assertThat(rest(b, w++, 40, 20)).isEqualTo(1);
        assertThat(b.settled()).isEqualTo(1);
        // 40 ms is the reads' baseline now: under budget, the rest halves away; 70 ms (1.75x) is over again.
        assertThat(rest(b, w++, 40, 20)).isEqualTo(0.5);
        assertThat(rest(b, w++, 40, 20)).isZero();
        assertThat(rest(b, w++, 70, 20)).isEqualTo(1);
    }

    @Test
    void aWindowUnderBudgetStartsTheCountOver() {
        LatencyBudget b = budget(1.5);
        int w = overBudgetAtTheMostRestForAllButOneWindow(b);
        assertThat(rest(b, w++, 13, 20)).as("held, not over").isEqualTo(LatencyBudget.MAX_LEVEL);
        for (int i = 0; i < LatencyBudget.SETTLE_WINDOWS - 1; i++) {
            assertThat(rest(b, w++, 40, 20)).isEqualTo(LatencyBudget.MAX_LEVEL);
        }
        assertThat(b.settled()).isZero();
    }

    @Test
    void aWindowWithTooFewStatementsMovesNothing() {
        LatencyBudget b = budget(1.5);
        LiveLatency.Ended quiet = new LiveLatency.Ended(0, W, 100 * MS, LiveLatency.MIN_STATEMENTS - 1);
        assertThat(b.rest(new LiveLatency.Ended[] {quiet, quiet}, W + 1)).isZero();
    }

    @Test
    void oneMoreMoveAfterEachSecondWellUnderBudgetAndBackToOneAtTheFirstWindowOverIt() {
        LatencyBudget b = budget(1.5);
        assertThat(b.lanes(3)).isEqualTo(1);
        int w = 0;
        for (int i = 0; i < LatencyBudget.GROW_WINDOWS - 1; i++) {
            rest(b, w++, 11, 20);
        }
        assertThat(b.lanes(3)).as("not yet a second under budget").isEqualTo(1);
        rest(b, w++, 11, 20);
        assertThat(b.lanes(3)).isEqualTo(2);
        // Between 0.8 and 1 times the budget: neither more nor fewer, and the count starts over.
        for (int i = 0; i < LatencyBudget.GROW_WINDOWS - 1; i++) {
            rest(b, w++, 11, 20);
        }
        rest(b, w++, 13, 20);
        rest(b, w++, 11, 20);
        assertThat(b.lanes(3)).isEqualTo(2);
        for (int i = 0; i < 3 * LatencyBudget.GROW_WINDOWS; i++) {
            rest(b, w++, 11, 20);
        }
        assertThat(b.lanes(3)).as("at most what the caller allows").isEqualTo(3);
        assertThat(b.lanes(5)).isEqualTo(5);
        assertThat(rest(b, w++, 10, 31)).as("writes over budget").isEqualTo(1);
        assertThat(b.lanes(3)).isEqualTo(1);
        // Still resting: windows well under budget halve the rest first and add a move only once it is none.
        rest(b, w++, 11, 20);
        for (int i = 0; i < LatencyBudget.GROW_WINDOWS - 1; i++) {
            rest(b, w++, 11, 20);
        }
        assertThat(b.lanes(3)).isEqualTo(1);
        rest(b, w++, 11, 20);
        assertThat(b.lanes(3)).isEqualTo(2);
    }

    @Test
    void startingAgainStartsAtOneMove() {
        LatencyBudget b = budget(1.5);
        for (int w = 0; w < 2 * LatencyBudget.GROW_WINDOWS; w++) {
            rest(b, w, 11, 20);
        }
        assertThat(b.lanes(3)).isEqualTo(3);
        b.start();
        assertThat(b.lanes(3)).isEqualTo(1);
    }
}
