package io.vshard.demo;

import io.vshard.control.MigrationRecord;
import io.vshard.engine.Engine;
import io.vshard.jdbc.VShardDriver;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import io.vshard.migrate.MigrationControl;
import io.vshard.migrate.MigrationListener;
import io.vshard.migrate.MigrationStatus;
import io.vshard.migrate.Migrator;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The story {@code vshard demo} tells, for real on the embedded fleet: load the scenario under v1 with live
 * traffic, show the hot shards 45-54, publish a signed v2, move the test cohort in the boundary window, send new
 * ledger rows to v2 from the effective window, migrate everything in the background (optionally rolling back
 * once and restarting), drain v1, and audit every shard directly against the demo's own ledger.
 *
 * <p>Threading: {@link #run()} drives the steps on the caller's thread; the traffic, the migrator and a sampler
 * (meter rates, dashboard state) run on their own threads until the story ends.
 */
public final class DemoStory {
    private static final int[] HOT = {45, 54};
    private final DemoOptions options;
    private final PrintWriter out;
    private final ShardMeter meter = new ShardMeter();
    private final DemoState state = new DemoState(meter);
    private boolean drained;
    private long stepStarted;
    private long stepCpu;
    private Migrator migrator;

    /** A story with {@code options}, printing to {@code out}. */
    public DemoStory(DemoOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    /** The dashboard's state (served as {@code /api/state}). */
    public DemoState state() {
        return state;
    }

    /** Runs the whole story and returns its report. */
    public DemoReport run() throws IOException, SQLException, InterruptedException {
        long started = System.nanoTime();
        DemoClock clock = new DemoClock();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vshard-demo-sampler");
            t.setDaemon(true);
            return t;
        });
        DemoBackend backend = DemoBackend.of(options.backend(), options.url(), options.user(), options.password());
        try (DemoFleet fleet = DemoFleet.create(options.dataDir(), options.fresh(), clock, backend, options.keep())) {
            Engine engine = fleet.engine();
            MigrationControl control = engine.migrationControl();
            Instant t0 = clock.instant();
            WindowId w0 = WindowId.containing(t0);
            ScenarioDataset data =
                    new ScenarioDataset(options.seed(), options.creators(), options.payments(), w0.plusWeeks(-7), 8);
            Audit audit = new Audit(engine.config());
            Manifest v1 = engine.routingState().active();

            long[] before = load(fleet, data, audit, v1);
            // Sampling starts with the traffic: during the bulk load there is nothing to meter.
            sampler.scheduleAtFixedRate(() -> sample(engine, control), 0, 500, TimeUnit.MILLISECONDS);
            try (Traffic traffic = new Traffic(engine, data, meter, options.writesPerSecond())) {
                traffic.start(2, 2);
                warmUp(traffic);
                double[] hotBefore = heat(v1, before);
                Manifest v2 = publish(fleet, control, w0);
                testCohort(fleet, control, w0);
                effective(fleet, w0, v1, hotBefore);
                migrate(fleet, control);
                drain(fleet, control, w0);
                traffic.close();
                sampler.shutdown();
                return report(fleet, control, audit, data, traffic, v1, v2, before, started);
            }
        } finally {
            sampler.shutdownNow();
        }
    }

    private long[] load(DemoFleet fleet, ScenarioDataset data, Audit audit, Manifest v1)
            throws SQLException, InterruptedException {
        Engine engine = fleet.engine();
        step(
                1,
                "Load the scenario under v1 (" + v1.shardFunction().describe() + ", " + v1.shardCount()
                        + " shards), bulk, straight into the shards");
        out.printf(
                "    data directory %s; data sources db_a..db_d and the control store: %s%n",
                fleet.dir(), fleet.backend().describe());
        if (fleet.backend().embedded()) {
            out.println(
                    fleet.unsavedBytes() > 0
                            ? String.format(
                                    "    H2 writes changed pages to the files after %,d MB per database and at the end",
                                    Math.round(fleet.unsavedBytes() / 1048576.0))
                            : "    H2 writes changed pages to the files with its defaults (its store's settings were"
                                    + " not reachable): slower");
        }
        DatasetLoader loader = new DatasetLoader(engine, data, fleet.backend().kind());
        loader.createTables();
        long total = data.creatorCount() + data.paymentCount();
        long t = System.nanoTime();
        long cpu = cpuNanos();
        ProgressLine bar = new ProgressLine(out, options.terminal());
        loader.load(n -> bar.show(String.format("    loading %,d / %,d rows", n, total)));
        bar.finish();
        loader.createIndexes();
        double secs = (System.nanoTime() - t) / 1e9;
        out.printf(
                "    loaded %,d creators and %,d payments in %.1f s, %.1f s of CPU (%,.0f rows/s; %s)%n",
                data.creatorCount(),
                data.paymentCount(),
                secs,
                (cpuNanos() - cpu) / 1e9,
                total / secs,
                loader.describe());
        long[] before = audit.creatorsPerShard(v1);
        state.creators(v1.version(), before);
        out.println("    live writers (payments) and readers (a creator's payments) start through jdbc:vshard:;"
                + " every acknowledged write goes into the demo's own ledger");
        pause();
        return before;
    }

    /**
     * Waits until the live traffic has run for a couple of seconds at its rate, so the heat is measured on real
     * traffic: the first statements of each client parse and plan cold, which on a loaded machine takes seconds.
     */
    private void warmUp(Traffic traffic) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long wanted = Math.max(50, options.writesPerSecond() * 2L);
        while (traffic.acknowledgedCount() < wanted / 4 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long from = traffic.acknowledgedCount();
        while (traffic.acknowledgedCount() - from < wanted && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (traffic.acknowledgedCount() == 0) {
            throw new IllegalStateException("the live writers acknowledged no write within 120 s: " + traffic.failures()
                    + " failures, last " + traffic.lastFailure());
        }
    }

    private double[] heat(Manifest v1, long[] creators) throws InterruptedException {
        step(2, "The heat: per-shard creators, rows and measured latency under v1");
        Thread.sleep(Math.max(2_000, options.stepPauseMillis()));
        Map<Long, ShardMeter.Reading> r = meter.readings();
        out.println("    shard  creators   writes/s  reads+writes/s  latency ms");
        double hotWrites = 0;
        double allWrites = 0;
        for (int s = 0; s < v1.shardCount(); s++) {
            ShardMeter.Reading x = r.get(ShardMeter.key(v1.version(), s));
            double w = x == null ? 0 : x.writesPerSecond();
            allWrites += w;
            if (s >= HOT[0] && s <= HOT[1]) {
                hotWrites += w;
            }
            if ((s >= HOT[0] - 1 && s <= HOT[1] + 1) || s < 2 || s == v1.shardCount() - 1) {
                out.printf(
                        "    %5d  %8d %s %9.1f %14.1f %11.2f%n",
                        s,
                        creators[s],
                        s >= HOT[0] && s <= HOT[1] ? "HOT" : "   ",
                        w,
                        x == null ? 0 : x.opsPerSecond(),
                        x == null ? 0 : x.meanLatencyMillis());
            } else if (s == 2 || s == HOT[1] + 2) {
                out.println("      ...");
            }
        }
        out.printf(
                "    shards 45-54 hold %.0f%% of the creators and take %.0f%% of the writes;"
                        + " busiest shard / mean = %.2f%n",
                100.0 * sum(creators, HOT[0], HOT[1]) / sum(creators, 0, creators.length - 1),
                allWrites == 0 ? 0 : 100 * hotWrites / allWrites,
                DemoReport.maxOverMean(creators));
        return new double[] {hotWrites, allWrites};
    }

    private Manifest publish(DemoFleet fleet, MigrationControl control, WindowId w0)
            throws IOException, SQLException, InterruptedException {
        WindowId boundary = w0.next();
        WindowId effective = w0.plusWeeks(2);
        step(
                3,
                "Publish v2 (geo_aware_hash % 128), signed with the demo's fresh key: boundary window " + boundary
                        + ", effective window " + effective);
        // About forty cohorts whatever the scale: each move has a fixed cost (fence, acknowledgements, digests).
        long rows = options.creators() + options.payments();
        Path file = fleet.writeV2(boundary.start(), effective, Math.max(20_000, rows / 40));
        Manifest v2 = control.publish(file);
        out.printf(
                "    published %s (key %s); every router loads it on its next refresh%n",
                fleet.dir().relativize(file), v2.signature().keyId());
        try (Connection c = VShardDriver.connect(fleet.engine(), null);
                Statement st = c.createStatement()) {
            fleet.engine().createShardSchemas();
            for (String ddl : DemoSchema.TABLES) {
                st.execute(ddl);
            }
            for (String ddl : DemoSchema.INDEXES) {
                st.execute(ddl);
            }
        }
        out.println("    the tables exist on v2's 128 shards too (DDL fans out to every live shard)");
        fleet.jumpTo(boundary.start().plus(Duration.ofHours(1)));
        out.printf(
                "    clock -> %s: the boundary window is open, every write also journals its routing metadata%n",
                fleet.clock().instant());
        return v2;
    }

    private void testCohort(DemoFleet fleet, MigrationControl control, WindowId w0)
            throws SQLException, InterruptedException {
        AtomicReference<Cohort> test = new AtomicReference<>();
        control.start();
        migrator = control.startMigrator(new MigrationListener() {
            @Override
            public void flipped(Cohort cohort, long pauseMillis) {
                if (cohort.test()) {
                    test.set(cohort);
                    state.note("test cohort " + cohort.id() + " flipped after a " + pauseMillis + " ms fence");
                }
            }
        });
        out.println("    START MIGRATION: the migrator plans cohorts (hottest shards first) and moves the test cohort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (test.get() == null && System.nanoTime() < deadline) {
            failIfStuck(control.status());
            Thread.sleep(100);
        }
        control.pause();
        Cohort c = test.get();
        if (c == null) {
            throw new IllegalStateException("the test cohort did not move within 600 s: " + control.status());
        }
        MigrationStatus s = control.status();
        out.printf(
                "    test cohort %d (creators %d..%d of shard %d, ~%d rows) copied, fenced, proved by digest"
                        + " (%d checks passed, %d failed) and now served by v2; migration paused%n",
                c.id(),
                c.firstCreator(),
                c.lastCreator(),
                c.oldShard(),
                c.plannedRows(),
                s.checksPassed(),
                s.checksFailed());
        pause();
    }

    private void effective(DemoFleet fleet, WindowId w0, Manifest v1, double[] hotBefore)
            throws SQLException, InterruptedException {
        WindowId effective = w0.plusWeeks(2);
        step(4, "Effective window " + effective + ": new ledger rows go to v2 at once");
        fleet.jumpTo(effective.start().plus(Duration.ofHours(1)));
        // The migrator cuts the ledger over when the effective window begins (paused or not): wait for it.
        long cutoverDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!fleet.engine().routingState().ledgerOnNext() && System.nanoTime() < cutoverDeadline) {
            Thread.sleep(50);
            fleet.engine().refresh();
        }
        if (!fleet.engine().routingState().ledgerOnNext()) {
            throw new IllegalStateException("the migrator did not cut the ledger over within 60 s of the effective"
                    + " window's start: " + fleet.store().view().migration());
        }
        // Rates from the counts since the cutover alone: the meter's sliding window still holds writes from before.
        Map<Long, ShardMeter.Reading> at = meter.readings();
        long t = System.nanoTime();
        Thread.sleep(Math.max(3_000, options.stepPauseMillis()));
        Map<Long, ShardMeter.Reading> r = meter.readings();
        double seconds = (System.nanoTime() - t) / 1e9;
        double hot = 0;
        double v2Writes = 0;
        for (Map.Entry<Long, ShardMeter.Reading> e : r.entrySet()) {
            ShardMeter.Reading x = e.getValue();
            ShardMeter.Reading was = at.get(e.getKey());
            double rate = (x.writes() - (was == null ? 0 : was.writes())) / seconds;
            if (x.version() == v1.version() && x.shard() >= HOT[0] && x.shard() <= HOT[1]) {
                hot += rate;
            } else if (x.version() != v1.version()) {
                v2Writes += rate;
            }
        }
        out.printf(
                "    writes/s on v1 shards 45-54: %.0f before -> %.0f now; v2's 128 shards take %.0f writes/s%n",
                hotBefore[0], hot, v2Writes);
        pause();
    }

    private void migrate(DemoFleet fleet, MigrationControl control) throws SQLException, InterruptedException {
        step(5, "Background migration: cohorts copied, caught up from the journal, fenced, proved by digest, flipped");
        control.resume();
        ProgressRenderer bar = new ProgressRenderer(out, options.terminal());
        boolean rolledBack = options.rollbackAt() == 0;
        long t = System.nanoTime();
        LiveP95 reads = new LiveP95(fleet.engine().liveLatency(false));
        LiveP95 writes = new LiveP95(fleet.engine().liveLatency(true));
        while (true) {
            reads.poll();
            writes.poll();
            MigrationStatus s = control.status();
            failIfStuck(s);
            bar.show(s, null);
            if (!rolledBack && s.rowsOnNewPercent() >= options.rollbackAt()) {
                bar.finish();
                out.printf(
                        "    ROLLBACK MIGRATION at %.0f%%: cohorts on v2 move back (journal catch-up, digest),"
                                + " then the effective window's ledger rows%n",
                        s.rowsOnNewPercent());
                control.rollback();
                awaitState(control, bar, MigrationRecord.ROLLED_BACK);
                bar.finish();
                out.println("    rolled back: v1 serves everything again; START MIGRATION restarts it");
                control.start();
                rolledBack = true;
                continue;
            }
            if (s.state().equals(MigrationRecord.COMPLETE)) {
                bar.finish();
                // The latency budget's rests are part of the wall time: say how much, so a slow run is explained.
                out.printf(
                        "    moved %,d rows in %.1f s; the migrator rested %.1f s of it while the live traffic's p95"
                                + " was over budget%n",
                        s.rowsCopied(), (System.nanoTime() - t) / 1e9, migrator.yieldedMillis() / 1e3);
                out.printf(
                        "    the live statements' p95 through the demo's router, before -> during the migration:"
                                + " reads %s -> %s, writes %s -> %s%n",
                        millis(reads.beforeMillis()),
                        millis(reads.duringMillis()),
                        millis(writes.beforeMillis()),
                        millis(writes.duringMillis()));
                break;
            }
            Thread.sleep(100);
        }
    }

    private static String millis(double ms) {
        return ms < 0 ? "unmeasured" : String.format("%.2f ms", ms);
    }

    private void drain(DemoFleet fleet, MigrationControl control, WindowId w0)
            throws SQLException, InterruptedException {
        int clean = fleet.engine().routingState().next().verification().cleanWindowsBeforeDrain();
        WindowId after = WindowId.containing(fleet.clock().instant()).plusWeeks(clean + 1);
        out.printf(
                "    complete; clock -> %s (%d clean windows later): the migrator drains v1's old copies%n",
                after, clean);
        fleet.jumpTo(after.start().plus(Duration.ofHours(1)));
        long t = System.nanoTime();
        // The drain deletes every old copy (most of v1's rows): minutes at the default scale on a loaded machine.
        long deadline = t + TimeUnit.SECONDS.toNanos(600);
        while (!control.status().state().equals(MigrationRecord.DRAINED) && System.nanoTime() < deadline) {
            failIfStuck(control.status());
            Thread.sleep(200);
        }
        drained = control.status().state().equals(MigrationRecord.DRAINED);
        if (drained) {
            // Stop the migrator and let its step in hand end: a migrator that records DRAINED before it has
            // deleted the old copies (as this driver's did) is still deleting them.
            migrator.close();
            while (migrator.alive()) {
                Thread.sleep(100);
            }
            out.printf(
                    "    v1 drained in %.1f s: its old copies are deleted, v2 alone is live%n",
                    (System.nanoTime() - t) / 1e9);
        } else {
            out.println("    v1 was not drained within 600 s; the audit counts each row at its v2 place only");
        }
        fleet.engine().refresh();
        state.routing(fleet.engine().routingState());
        pause();
    }

    private DemoReport report(
            DemoFleet fleet,
            MigrationControl control,
            Audit audit,
            ScenarioDataset data,
            Traffic traffic,
            Manifest v1,
            Manifest v2,
            long[] before,
            long started)
            throws SQLException {
        step(6, "Final report: the shards read directly and compared with the ledger");
        MigrationStatus s = control.status();
        long[] after = audit.creatorsPerShard(v2);
        state.creators(v2.version(), after);
        Audit.Findings f =
                audit.compare(List.of(v1, v2), drained ? null : v2, data.creatorCount(), data.paymentCount(), traffic);
        long live = traffic.acknowledgedCount();
        DemoReport report = new DemoReport(
                data.creatorCount(),
                data.paymentCount(),
                v1.shardCount(),
                v2.shardCount(),
                DemoReport.maxOverMean(before),
                DemoReport.maxOverMean(after),
                s.checksPassed(),
                s.checksFailed(),
                data.creatorCount() + data.paymentCount() + live,
                live,
                f.rowsStored(),
                f.lost(),
                f.duplicated(),
                options.rollbackAt() > 0,
                (System.nanoTime() - started) / 1_000_000);
        out.printf(
                "    creators per shard, busiest / mean: v1 %.2f (64 shards) -> v2 %.2f (128 shards)%n",
                report.maxOverMeanBefore(), report.maxOverMeanAfter());
        out.printf("    digest checks: %d passed, %d failed%n", report.digestChecks(), report.digestMismatches());
        out.printf(
                "    rows acknowledged %,d (%,d loaded + %,d live writes); rows stored %,d%n",
                report.writesAcknowledged(), data.creatorCount() + data.paymentCount(), live, report.rowsStored());
        out.printf(
                "    lost %d, duplicated %d%s; writes retried after a fence %d, failed %d; elapsed %.1f s%n",
                f.lost(),
                f.duplicated(),
                f.unacknowledged() == 0 ? "" : ", stored but never acknowledged " + f.unacknowledged(),
                traffic.retries(),
                traffic.failures(),
                report.elapsedMillis() / 1e3);
        state.report(report.json());
        state.phase(6, "done: lost " + f.lost() + ", duplicated " + f.duplicated());
        return report;
    }

    private void awaitState(MigrationControl control, ProgressRenderer bar, String wanted)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (System.nanoTime() < deadline) {
            MigrationStatus s = control.status();
            if (bar != null) {
                bar.show(s, null);
            }
            if (s.state().equals(wanted)) {
                return;
            }
            failIfStuck(s);
            Thread.sleep(100);
        }
        throw new IllegalStateException("the migration did not reach " + wanted + ": " + control.status());
    }

    private static void failIfStuck(MigrationStatus s) {
        if (s.state().equals(MigrationRecord.PAUSED) && s.lastError() != null) {
            throw new IllegalStateException("the migration paused itself: " + s.lastError());
        }
    }

    private void sample(Engine engine, MigrationControl control) {
        try {
            meter.sample();
            state.routing(engine.routingState());
            state.migration(control.status(), control.cohorts(null));
        } catch (SQLException | RuntimeException e) {
            state.note("sampler: " + e.getMessage());
        }
    }

    private void step(int n, String title) {
        long now = System.nanoTime();
        long cpu = cpuNanos();
        if (stepStarted != 0) {
            out.printf(
                    "    (step %d: %.1f s, %.1f s of CPU)%n", n - 1, (now - stepStarted) / 1e9, (cpu - stepCpu) / 1e9);
        }
        stepStarted = now;
        stepCpu = cpu;
        out.printf("%n[%d/6] %s%n", n, title);
        out.flush();
        state.phase(n, title);
    }

    private void pause() throws InterruptedException {
        out.flush();
        Thread.sleep(options.stepPauseMillis());
    }

    /** The CPU time this process has used so far (all threads), or 0 where the JVM cannot tell. */
    static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    private static long sum(long[] a, int from, int to) {
        long s = 0;
        for (int i = from; i <= to; i++) {
            s += a[i];
        }
        return s;
    }

    /** A one-line status redrawn in place on a terminal, printed at most once a second otherwise. */
    private static final class ProgressLine {
        private final PrintWriter out;
        private final boolean terminal;
        private long lastNanos;
        private String last = "";

        ProgressLine(PrintWriter out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        void show(String line) {
            long now = System.nanoTime();
            if (now - lastNanos < (terminal ? 100_000_000L : 2_000_000_000L)) {
                return;
            }
            lastNanos = now;
            last = line;
            if (terminal) {
                out.print("\r" + line);
            } else {
                out.println(line);
            }
            out.flush();
        }

        void finish() {
            if (terminal && !last.isEmpty()) {
                out.println();
            }
        }
    }
}
