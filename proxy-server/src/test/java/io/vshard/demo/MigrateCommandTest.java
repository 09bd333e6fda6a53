package io.vshard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.cli.VShardCommand;
import io.vshard.engine.Engine;
import io.vshard.jdbc.VShardDriver;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vshard migrate start|pause|resume|rollback|status} on a small embedded fleet (H2 shards) that has the
 * scenario loaded under v1 and a signed v2 published, its clock moved into the boundary window the way the demo
 * does it. The commands run in this JVM through the real command line, a separate engine from the one that
 * built the fleet, and their output is not a terminal: plain lines, no carriage returns.
 */
class MigrateCommandTest {
    @TempDir
    Path dir;

    private Path config;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void fleet() throws Exception {
        DemoClock clock = new DemoClock();
        try (DemoFleet fleet = DemoFleet.create(
                dir.resolve("fleet"), true, clock, DemoBackend.of("embedded", null, null, null), false)) {
            Engine engine = fleet.engine();
            WindowId w0 = WindowId.containing(clock.instant());
            ScenarioDataset data = new ScenarioDataset(7, 1_500, 6_000, w0.plusWeeks(-7), 8);
            DatasetLoader loader = new DatasetLoader(engine, data, DemoBackend.Kind.EMBEDDED);
            loader.createTables();
            loader.load(n -> {});
            loader.createIndexes();
            engine.migrationControl().publish(fleet.writeV2(w0.next().start(), w0.plusWeeks(2), 2_500));
            engine.createShardSchemas();
            try (Connection c = VShardDriver.connect(engine, null);
                    Statement st = c.createStatement()) {
                for (String ddl : DemoSchema.TABLES) {
                    st.execute(ddl);
                }
            }
            fleet.jumpTo(w0.next().start().plus(Duration.ofHours(1)));
            config = fleet.dir().resolve("vshard.yaml");
        }
    }

    private Run migrate(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = VShardCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = "migrate";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--config";
        all[args.length + 2] = config.toString();
        int code = cl.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void startRunsTheMigrationToCompleteThenRollbackBringsItBack() {
        Run none = migrate("status");
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(none.out()).contains("no migration");

        Run start = migrate("start", "--interval", "100");
        assertThat(start.code()).as(start.out() + start.err()).isZero();
        assertThat(start.out()).doesNotContain("\r").contains("v1->v2 [").contains("COMPLETE");
        assertThat(start.out())
                .containsPattern("v1 -> v2 COMPLETE; cohorts: NEW \\d+; digest checks \\d+ passed, 0 failed");

        Run rollback = migrate("rollback", "--interval", "100");
        assertThat(rollback.code()).as(rollback.out() + rollback.err()).isZero();
        assertThat(rollback.out()).containsPattern("v1 -> v2 ROLLED_BACK; cohorts: PLANNED \\d+;");
    }

    @Test
    void pauseStatusAndResumeFollowTheOrders() {
        Run refused = migrate("pause");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("the migration is not started; this needs it to be RUNNING");

        Run detached = migrate("start", "--detach");
        assertThat(detached.code()).as(detached.err()).isZero();
        assertThat(detached.out().strip().split("\n")).hasSize(1);
        assertThat(detached.out()).contains("RUNNING");

        Run pause = migrate("pause");
        assertThat(pause.code()).as(pause.err()).isZero();
        assertThat(pause.out()).contains("PAUSED");

        Run status = migrate("status");
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("v1 -> v2 PAUSED; cohorts: PLANNED");

        Run watch = migrate("status", "--watch");
        assertThat(watch.code()).isZero();
        assertThat(watch.out()).contains("PAUSED");

        Run resume = migrate("resume", "--interval", "100");
        assertThat(resume.code()).as(resume.out() + resume.err()).isZero();
        assertThat(resume.out()).contains("v1 -> v2 COMPLETE");
    }
}
