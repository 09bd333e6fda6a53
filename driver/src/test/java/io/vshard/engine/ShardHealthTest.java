package io.vshard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.control.RouterHealth;
import org.junit.jupiter.api.Test;

/** The per-data-source latency and error window the health triggers read. */
class ShardHealthTest {
    @Test
    void reportsTheWorstDataSourcesP95AndErrorRateThenStartsOver() {
        ShardHealth health = new ShardHealth();
        for (int ms = 1; ms <= 100; ms++) {
            health.record("slow", ms * 1_000_000L, ms % 10 == 0);
            health.record("fast", 1_000_000L, false);
        }
        RouterHealth h = health.drain();
        // Samples land in random slots, so a few of the 100 may overwrite each other.
        assertThat(h.worstP95Millis()).isBetween(88L, 100L);
        assertThat(h.worstErrorRate()).isEqualTo(0.1);
        assertThat(h.detail()).isEqualTo("slow");

        assertThat(health.drain().worstP95Millis()).as("nothing recorded since").isZero();
        health.record("fast", 3_000_000L, true);
        RouterHealth next = health.drain();
        assertThat(next.worstP95Millis()).isEqualTo(3);
        assertThat(next.worstErrorRate()).isEqualTo(1.0);
        assertThat(next.detail()).isEqualTo("fast");
    }

    @Test
    void namesTheSlowestAndTheMostFailingDataSourceApartWhenTheyDiffer() {
        ShardHealth health = new ShardHealth();
        health.record("db_b", 400_000_000L, false);
        health.record("db_a", 2_000_000L, true);
        RouterHealth h = health.drain();
        assertThat(h.worstP95Millis()).isEqualTo(400);
        assertThat(h.worstErrorRate()).isEqualTo(1.0);
        assertThat(h.detail()).isEqualTo("db_b (p95), db_a (error rate)");

        health.record("db_a", 0, false);
        assertThat(health.drain().detail())
                .as("a p95 of 0 ms still names its data source")
                .isEqualTo("db_a");
    }
}
