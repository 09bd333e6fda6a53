package io.vshard.it.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vshard demo --json} at a small scale on the embedded fleet (20,000 creators and payments, for CI time;
 * the default scale's run time is measured by bench/demo-default.sh): the whole story runs and the report, which
 * the demo computes by reading every shard directly against its own ledger, shows nothing lost or duplicated,
 * no digest mismatch, and the hot layout balanced.
 */
class DemoRunIT {
    @TempDir
    Path dir;

    @Test
    void theStoryEndsBalancedWithNothingLost() {
        DemoRun run = DemoRun.run(dir.resolve("demo"), new StringWriter(), "--http", "0", "--step-pause", "0");
        assertReport(run);
        assertThat(run.lastLine()).contains("\"rolled_back\":false");
    }

    @Test
    void aRollbackAtFortyPercentAndTheRestartLoseNothing() {
        DemoRun run = DemoRun.run(
                dir.resolve("demo"), new StringWriter(), "--http", "0", "--step-pause", "0", "--rollback-at", "40");
        assertReport(run);
        assertThat(run.output).contains("ROLLBACK MIGRATION at").contains("rolled back");
        assertThat(run.lastLine()).contains("\"rolled_back\":true");
    }

    static void assertReport(DemoRun run) {
        assertReport(run, 20_000, 20_000);
    }

    static void assertReport(DemoRun run, long creators, long payments) {
        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.lastLine()).startsWith("{").endsWith("}");
        assertThat(run.number("creators")).isEqualTo(creators);
        assertThat(run.number("lost")).isZero();
        assertThat(run.number("duplicated")).isZero();
        assertThat(run.number("digest_mismatches")).isZero();
        assertThat(run.number("digest_checks")).isPositive();
        assertThat(run.number("max_over_mean_before")).isGreaterThanOrEqualTo(3);
        assertThat(run.number("max_over_mean_after")).isLessThanOrEqualTo(1.2);
        assertThat(run.number("shards_before")).isEqualTo(64);
        assertThat(run.number("shards_after")).isEqualTo(128);
        assertThat(run.number("payments")).isEqualTo(payments);
        assertThat(run.number("writes_acknowledged")).isGreaterThan(creators + payments);
        // Every acknowledged write is stored once; a write whose answer was lost may be stored unacknowledged.
        assertThat(run.number("rows_stored")).isGreaterThanOrEqualTo(run.number("writes_acknowledged"));
        assertThat(run.number("rows_stored") - run.number("writes_acknowledged"))
                .isLessThanOrEqualTo(run.number("live_writes") / 100);
        assertThat(run.number("elapsed_ms")).isPositive();
    }
}
