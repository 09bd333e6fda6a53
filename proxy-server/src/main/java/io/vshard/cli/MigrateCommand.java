package io.vshard.cli;

import io.vshard.config.ConfigReader;
import io.vshard.control.MigrationRecord;
import io.vshard.control.MigrationStore;
import io.vshard.demo.ProgressRenderer;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.migrate.MigrationControl;
import io.vshard.migrate.MigrationListener;
import io.vshard.migrate.MigrationStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vshard migrate start|pause|resume|rollback|status}: the operator's view of a migration, over the
 * driver's {@link MigrationControl}. Each command records its order in the control store, where any migrator
 * acts on it (the migrator lease keeps it to one at a time). {@code start}, {@code resume} and {@code rollback}
 * also run a migrator in this process and follow it until the migration rests (COMPLETE, PAUSED, ROLLED_BACK
 * or DRAINED), unless {@code --detach}; {@code status --watch} follows without moving anything. Progress is
 * drawn by the demo's {@link ProgressRenderer}: a bar redrawn in place on a terminal, plain lines otherwise.
 *
 * <p>Exit status: 0 when the order was taken (and, when followed, the migration rested where the order leads),
 * 1 when refused (the message says why), 3 when the migration paused itself on an error.
 */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = "Start, pause, resume, roll back and watch the migration to the published next version.",
        subcommands = {
            MigrateCommand.Start.class,
            MigrateCommand.Pause.class,
            MigrateCommand.Resume.class,
            MigrateCommand.Rollback.class,
            MigrateCommand.Status.class
        })
final class MigrateCommand implements Runnable {
    /** States a migration stays in until someone orders otherwise (or, for COMPLETE, until its drain is due). */
    static final Set<String> RESTING = Set.of(
            "NONE",
            MigrationRecord.COMPLETE,
            MigrationRecord.PAUSED,
            MigrationRecord.ROLLED_BACK,
            MigrationRecord.DRAINED);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The options every migrate command takes. */
    static final class Target {
        @Option(
                names = "--config",
                paramLabel = "FILE",
                description = "The configuration (default: conf/vshard.yaml, the embedded default with H2 shards).")
        Path config;

        @Option(
                names = "--interval",
                defaultValue = "500",
                paramLabel = "MS",
                description = "Milliseconds between progress updates when following (default ${DEFAULT-VALUE}).")
        long intervalMillis;

        Engine open() throws IOException, SQLException {
            Path file = config == null ? ProxyCommand.defaultConfig(Path.of("")) : config;
            FleetClock clock = new FleetClock();
            // A short heartbeat: each cohort's fence waits until every live router, this one included, has
            // acknowledged it, and a router acknowledges on its heartbeat.
            Engine engine = Engine.start(
                    ConfigReader.read(file),
                    new EngineOptions(10_000, 4, 1_000, Duration.ofMillis(250), "cli").withClock(clock));
            try {
                // Run on the fleet's time (a demo moves it weeks ahead), the time every window decision reads.
                clock.offset = new MigrationStore(engine.controlStore()).clockOffset();
                engine.refresh();
                return engine;
            } catch (SQLException | RuntimeException e) {
                engine.close();
                throw e;
            }
        }
    }

    /** UTC wall time plus the fleet's clock offset from the control store. */
    static final class FleetClock extends Clock {
        volatile Duration offset = Duration.ZERO;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the fleet clock is UTC only");
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }

    /** A command over an engine opened on the configuration. */
    abstract static class Order implements Callable<Integer> {
        @Mixin
        Target target;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        /** Whether {@code System.out} is a terminal: the progress bar redraws in place only then. */
        boolean terminal = System.console() != null;

        abstract int run(MigrationControl control, PrintWriter out) throws SQLException, InterruptedException;

        @Override
        public Integer call() throws IOException, SQLException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            try (Engine engine = target.open()) {
                MigrationControl control = engine.migrationControl();
                try {
                    return run(control, out);
                } finally {
                    control.stopMigrator();
                    out.flush();
                }
            }
        }

        /**
         * Shows progress every interval until the migration rests, once it has left {@code leaving} (the state
         * the order moved it out of; {@code null} for none), or pauses itself on an error.
         *
         * @return the exit status: 3 when it paused itself on an error, else 0
         */
        int follow(MigrationControl control, PrintWriter out, String leaving)
                throws SQLException, InterruptedException {
            ProgressRenderer bar = new ProgressRenderer(out, terminal);
            boolean left = leaving == null;
            while (true) {
                MigrationStatus s = control.status();
                bar.show(s, null);
                left |= !s.state().equals(leaving);
                // A pause with an error is the migration stopping itself (the orders clear the last error).
                boolean selfPaused = s.state().equals(MigrationRecord.PAUSED) && s.lastError() != null;
                if (RESTING.contains(s.state()) && (left || selfPaused)) {
                    bar.finish();
                    return summary(s, out);
                }
                Thread.sleep(Math.max(50, target.intervalMillis));
            }
        }
    }

    /** An order that a migrator carries out: recorded, then followed with a migrator here unless detached. */
    abstract static class Moving extends Order {
        @Option(
                names = "--detach",
                description = "Only record the order; a migrator in another process (a proxy) carries it out.")
        boolean detach;

        abstract MigrationStatus order(MigrationControl control) throws SQLException;

        @Override
        int run(MigrationControl control, PrintWriter out) throws SQLException, InterruptedException {
            String before = control.status().state();
            MigrationStatus s = order(control);
            out.println(ProgressRenderer.line(s));
            if (detach) {
                return 0;
            }
            control.startMigrator(MigrationListener.NONE);
            // A restart leaves the state it was ordered out of (PAUSED, ROLLED_BACK): wait until it has moved on.
            return follow(control, out, before.equals(s.state()) ? null : before);
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = "Start (or restart after a pause or rollback) the migration to the published next version.")
    static final class Start extends Moving {
        @Override
        MigrationStatus order(MigrationControl control) throws SQLException {
            return control.start();
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused migration.")
    static final class Resume extends Moving {
        @Override
        MigrationStatus order(MigrationControl control) throws SQLException {
            return control.resume();
        }
    }

    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description = "Roll the migration back: cohorts on the new version move back, then the ledger rows.")
    static final class Rollback extends Moving {
        @Override
        MigrationStatus order(MigrationControl control) throws SQLException {
            return control.rollback();
        }
    }

    @Command(
            name = "pause",
            mixinStandardHelpOptions = true,
            description = "Pause the migration after the current batch; routing stays as it is.")
    static final class Pause extends Order {
        @Override
        int run(MigrationControl control, PrintWriter out) throws SQLException {
            MigrationStatus s = control.pause();
            out.println(ProgressRenderer.line(s));
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Show the migration's progress, cohorts by state and digest checks.")
    static final class Status extends Order {
        @Option(names = "--watch", description = "Keep showing progress until the migration rests.")
        boolean watch;

        @Override
        int run(MigrationControl control, PrintWriter out) throws SQLException, InterruptedException {
            if (watch) {
                return follow(control, out, null);
            }
            MigrationStatus s = control.status();
            out.println(ProgressRenderer.line(s));
            return summary(s, out);
        }
    }

    /** Prints the cohorts by state and the last error; 3 when the migration paused itself on that error. */
    static int summary(MigrationStatus s, PrintWriter out) {
        if (s.state().equals("NONE")) {
            out.println("no migration: publish the next manifest, then run `vshard migrate start`");
            return 0;
        }
        StringJoiner by = new StringJoiner(", ");
        for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(s.cohortsByState()).entrySet()) {
            if (e.getValue() > 0) {
                by.add(e.getKey() + " " + e.getValue());
            }
        }
        out.printf(
                "v%d -> v%d %s; cohorts: %s; digest checks %d passed, %d failed%n",
                s.fromVersion(), s.toVersion(), s.state(), by, s.checksPassed(), s.checksFailed());
        if (s.lastError() != null) {
            out.println("last error: " + s.lastError());
        }
        return s.state().equals(MigrationRecord.PAUSED) && s.lastError() != null ? 3 : 0;
    }
}
