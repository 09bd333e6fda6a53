package io.vshard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LiveLatencyTest {
    private static final long W = LiveLatency.WINDOW_NANOS;

    /** Records {@code n} statements of 1..n microseconds, in order, spread over the window starting at {@code at}. */
    private static void fill(LiveLatency l, long at, int n) {
        for (int i = 1; i <= n; i++) {
            l.record(i * 1_000L, at + (W - 1) * i / (n + 1));
        }
    }

    @Test
    void aWindowClosesWithTheFirstStatementAfterItsEndAndKeepsItsP95AndCount() {
        LiveLatency l = new LiveLatency(0);
        fill(l, 0, 100);
        assertThat(l.last()).as("still open").isNull();
        l.record(5_000_000L, W);
        LiveLatency.Ended e = l.last();
        assertThat(e.startNanos()).isZero();
        assertThat(e.endNanos()).isEqualTo(W);
        assertThat(e.statements()).isEqualTo(100);
        // Slots are chosen at random, so a few samples may overwrite others: the p95 of what remains is near 95 us.
        assertThat(e.p95Nanos()).isBetween(85_000L, 100_000L);
        // The statement that closed it counts in the next window.
        l.record(1_000L, 2 * W);
        assertThat(l.last().statements()).isEqualTo(1);
        assertThat(l.last().p95Nanos()).isEqualTo(5_000_000L);
    }

    @Test
    void theBaselineIsTheMedianOfEnoughBusyWindowsInTheSpan() {
        LiveLatency l = new LiveLatency(0);
        long[] scale = {1, 1, 10, 1, 1};
        for (int w = 0; w < scale.length; w++) {
            for (int i = 1; i <= 100; i++) {
                l.record(i * 1_000L * scale[w], w * W + (W - 1) * i / 101);
            }
        }
        l.record(1_000L, scale.length * W);
        long median = l.medianP95Between(0, scale.length * W);
        // One slow window (p95 about 950 us) does not move a median of five.
        assertThat(median).isBetween(85_000L, 100_000L);
        // Fewer than three windows in the span: no baseline.
        assertThat(l.medianP95Between(3 * W, 5 * W)).isEqualTo(-1);
        // A window that is not wholly inside the span is left out.
        assertThat(l.medianP95Between(0, 3 * W - 1)).isEqualTo(-1);
    }

    @Test
    void windowsWithTooFewStatementsGiveNoBaseline() {
        LiveLatency l = new LiveLatency(0);
        for (int w = 0; w < 5; w++) {
            for (int i = 0; i < LiveLatency.MIN_STATEMENTS - 1; i++) {
                l.record(1_000L, w * W + i);
            }
        }
        l.record(1_000L, 5 * W);
        assertThat(l.medianP95Between(0, 5 * W)).isEqualTo(-1);
    }
}
