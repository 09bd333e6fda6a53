package io.vshard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.migrate.MigrationStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared progress renderer: a bar redrawn in place on a terminal, plain lines otherwise. */
class ProgressRendererTest {
    private static MigrationStatus status(String state, int onNew, int total, double pct, long copied) {
        return new MigrationStatus(
                1,
                2,
                state,
                Map.of("NEW", onNew, "PLANNED", total - onNew),
                100.0 * onNew / total,
                pct,
                onNew,
                0,
                copied,
                1234.4,
                75,
                null);
    }

    @Test
    void aLineShowsTheBarTheCohortsRowsRateDigestsAndEta() {
        String line = ProgressRenderer.line(status("RUNNING", 10, 40, 25, 123_456));
        assertThat(line)
                .startsWith("v1->v2 [########......................]  25.0%")
                .contains("cohorts 10/40")
                .contains("rows 123,456")
                .contains("1,234 rows/s")
                .contains("digests 10 ok 0 failed")
                .contains("ETA 1:15")
                .endsWith("RUNNING");
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlace() {
        StringWriter sink = new StringWriter();
        ProgressRenderer r = new ProgressRenderer(new PrintWriter(sink), true);
        r.show(status("RUNNING", 1, 4, 25, 10), null);
        r.show(status("RUNNING", 2, 4, 50, 20), null);
        r.finish();
        assertThat(sink.toString())
                .startsWith("\rv1->v2")
                .contains("\rv1->v2 [###############")
                .endsWith("\n");
        assertThat(sink.toString().split("\n")).hasSize(1);
    }

    @Test
    void elsewhereEachChangeIsOnePlainLineAndRepeatsAreDropped() {
        StringWriter sink = new StringWriter();
        ProgressRenderer r = new ProgressRenderer(new PrintWriter(sink), false);
        r.show(status("RUNNING", 1, 4, 25, 10), null);
        r.show(status("RUNNING", 1, 4, 25, 10), null);
        r.show(status("RUNNING", 2, 4, 50, 20), null);
        r.show(status("COMPLETE", 4, 4, 100, 40), null);
        r.finish();
        assertThat(sink.toString()).doesNotContain("\r");
        assertThat(sink.toString().strip().split("\n")).hasSize(3);
        assertThat(sink.toString().strip()).endsWith("COMPLETE");
    }
}
