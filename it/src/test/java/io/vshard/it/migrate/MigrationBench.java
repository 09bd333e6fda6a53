package io.vshard.it.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.control.CohortRecord;
import io.vshard.engine.Engine;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import io.vshard.migrate.MigrationControl;
import io.vshard.migrate.MigrationListener;
import io.vshard.migrate.MigrationStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live-migration benchmark (run by {@code bench/migration.sh}; not part of the test suites, it asserts only
 * that the migration completed with every digest check passed, never a timing):
 *
 * <ol>
 *   <li>baseline: a raw {@code psql COPY ... TO STDOUT | psql COPY ... FROM STDIN} pipe of every v1 row, per
 *       table and source database, into a table of the same definition on another of the same databases (the
 *       median of {@code bench.pipeRuns} such pipes, 3 by default);
 *   <li>point queries ({@code WHERE creator_id = ? AND region = ?}) through {@code jdbc:vshard:} with light
 *       writers running, before the migration and during it (p95 ratio);
 *   <li>the full v1 → v2 migration: rows copied and verified per second (as a ratio to the pipe), and the
 *       write pause per cohort flip (fence to NEW, p50/p99).
 * </ol>
 */
class MigrationBench {
    private static final int CREATORS = Integer.getInteger("bench.creators", 4_000);
    private static final int PAYMENTS = Integer.getInteger("bench.payments", 200_000);
    private static final long BEFORE_MILLIS = Long.getLong("bench.beforeMillis", 15_000);
    /** How long the migration pauses right after its ledger cutover, to time two-place reads alone (0: not). */
    private static final long PAUSED_MILLIS = Long.getLong("bench.pausedMillis", 10_000);
    /** Whether to print the point reads' p95 per 500 ms from the migration's start (a diagnosis). */
    private static final boolean TIMELINE = Boolean.getBoolean("bench.timeline");
    /** How long the point reads go on after the migration completed (the "after" p95). */
    private static final long AFTER_MILLIS = Long.getLong("bench.afterMillis", 5_000);
    /**
     * Whether the migration runs in its effective window (the clock moved there after the "before" reads), where
     * a creator not yet moved is read in two places; by default it runs in the boundary window, before the
     * ledger cutover is due, where every read finds one place.
     */
    private static final boolean AFTER_EFFECTIVE = Boolean.getBoolean("bench.afterEffective");

    private static final int BATCH_ROWS = Integer.getInteger("bench.batchRows", 2_000);
    /** The payments of the warm-up fleet migrated before anything is timed (0: no warm-up, a cold JVM). */
    private static final int WARMUP_PAYMENTS = Integer.getInteger("bench.warmUpPayments", 100_000);
    /** The most warm-up migrations (see {@link #warmUp}). */
    private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmUpRounds", 6);
    /** The share of a warm-up migration's wall time spent compiling under which the JIT counts as settled. */
    private static final double STEADY_JIT_SHARE = 0.05;
    /** The application load during the migration: writer and reader threads (0 and 0: an idle migration). */
    private static final int WRITERS = Integer.getInteger("bench.writers", 2);

    private static final int READERS = Integer.getInteger("bench.readers", 2);
    /** How many times the psql pipe runs; its median time is the baseline. */
    private static final int PIPE_RUNS = Integer.getInteger("bench.pipeRuns", 3);

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    MigrationFleet fleet;

    /** One run of the psql pipes: rows, wall time, the psql processes' CPU and the server's CPU in seconds. */
    private record PipeRun(long rows, long nanos, long clientMicros, double serverCpu) {}

    /** The warm-up migrations run before the timed one. */
    private int warmUpRounds;

    @AfterEach
    void stop() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void liveMigration() throws Exception {
        if (WARMUP_PAYMENTS > 0) {
            warmUp();
        }
        fleet = loaded(dir.resolve("measured"), 11, PAYMENTS);
        Engine a = fleet.engines.get(0);
        String load = uptime();

        // The pipe's time varies run to run on this host (1.4-3.0 s for the same rows in session 13): the median of
        // PIPE_RUNS pipes is the baseline.
        List<PipeRun> pipes = new ArrayList<>();
        for (int run = 0; run < PIPE_RUNS; run++) {
            BackendCpu pipeServer = new BackendCpu(fleet.prefix, "psql", 5);
            Map<String, long[]> pipe = copyPipe(a.routingState(), run);
            double serverCpu = pipeServer.stop();
            pipeServer.close();
            long rows = 0;
            long nanos = 0;
            long clientMicros = 0;
            for (long[] v : pipe.values()) {
                rows += v[0];
                nanos += v[1];
                clientMicros += v[2];
            }
            pipes.add(new PipeRun(rows, nanos, clientMicros, serverCpu));
        }
        List<PipeRun> byTime = new ArrayList<>(pipes);
        byTime.sort(java.util.Comparator.comparingLong(PipeRun::nanos));
        PipeRun median = byTime.get(byTime.size() / 2);
        long pipeRows = median.rows();
        long pipeNanos = median.nanos();
        long pipeClientMicros = median.clientMicros();
        double pipeServerCpu = median.serverCpu();
        StringBuilder pipeTimes = new StringBuilder();
        for (PipeRun p : pipes) {
            pipeTimes
                    .append(pipeTimes.length() == 0 ? "" : ", ")
                    .append(String.format(java.util.Locale.ROOT, "%.2f", p.nanos() / 1e9));
        }
        double pipeRate = pipeRows / (pipeNanos / 1e9);

        fleet.moveClockTo(MigrationFleet.AT_BOUNDARY);
        Load app = new Load(fleet);
        Map<Long, Long> fanOut0 = threadCpu("vshard-fanout");
        app.start(WRITERS, READERS);
        Thread.sleep(BEFORE_MILLIS);
        List<Long> before = app.takeLatencies();
        long readerCpuBefore = app.takeReaderCpu() + cpuSince(fanOut0, "vshard-fanout");
        if (AFTER_EFFECTIVE) {
            fleet.moveClockTo(a.routingState().next().effectiveWindow().start().plusSeconds(3_600));
        }
        Map<Long, Long> fanOut1 = threadCpu("vshard-fanout");

        List<Long> pauses = Collections.synchronizedList(new ArrayList<>());
        MigrationControl control = fleet.engines.get(0).migrationControl();
        // The migrator of router 0, started first so START MIGRATION (which starts one if none runs) keeps it.
        Map<MigrationListener.Step, java.util.concurrent.atomic.LongAdder> steps =
                new java.util.concurrent.ConcurrentHashMap<>();
        control.startMigrator(new MigrationListener() {
            @Override
            public void flipped(Cohort cohort, long pauseMillis) {
                pauses.add(pauseMillis);
            }

            @Override
            public void timed(Cohort cohort, Step step, long nanos) {
                steps.computeIfAbsent(step, k -> new java.util.concurrent.atomic.LongAdder())
                        .add(nanos);
            }
        });
        long t0 = System.nanoTime();
        long compiled0 =
                java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        Map<Long, Long> threadCpu0 = migratorThreadCpu();
        BackendCpu migratorServer = new BackendCpu(fleet.prefix, "vshard-migrator", 100);
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement()) {
            st.execute("START MIGRATION");
        }
        // The ledger cutover (rows of the effective window and later live on v2) is the migrator's first step; from
        // then on a point read of a creator not yet moved reads both places. Paused right after it, the reads show
        // what the two places cost without the migrator's work beside them.
        long pausedNanos = 0;
        List<Long> twoPlaces = List.of();
        if (PAUSED_MILLIS > 0 && AFTER_EFFECTIVE) {
            while (!fleet.engines.get(0).migrationControl().status().state().equals("COMPLETE") && !ledgerCutOver()) {
                Thread.sleep(20);
            }
            long p0 = System.nanoTime();
            control.pause();
            while (control.status().state().equals("PAUSED")
                    && control.cohorts(null).stream()
                            .anyMatch(c -> c.state() == io.vshard.manifest.cohort.CohortState.FENCED)) {
                Thread.sleep(20);
            }
            // Moves notice a pause at their next batch: time the reads once nothing has been copied for a while.
            long copied = -1;
            while (control.status().rowsCopied() != copied) {
                copied = control.status().rowsCopied();
                Thread.sleep(500);
            }
            app.takeLatencies();
            Thread.sleep(PAUSED_MILLIS);
            twoPlaces = app.takeLatencies();
            control.resume();
            pausedNanos = System.nanoTime() - p0;
        }
        while (!control.status().state().equals("COMPLETE")) {
            MigrationStatus s = control.status();
            assertThat(s.state())
                    .as("migration state; last error %s", s.lastError())
                    .isIn("RUNNING", "COMPLETE");
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - t0 - pausedNanos) / 1e9;
        double compiling =
                (java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - compiled0)
                        / 1e3;
        double migratorServerCpu = migratorServer.stop();
        migratorServer.close();
        double migratorClientCpu = 0;
        for (Map.Entry<Long, Long> e : migratorThreadCpu().entrySet()) {
            migratorClientCpu += (e.getValue() - threadCpu0.getOrDefault(e.getKey(), 0L)) / 1e9;
        }
        List<Long> during = app.takeLatencies();
        long readerCpuDuring = app.takeReaderCpu() + cpuSince(fanOut1, "vshard-fanout");
        // The same reads once the migration is over: what the new layout itself costs, with no migrator beside it.
        Thread.sleep(AFTER_MILLIS);
        List<Long> after = app.takeLatencies();
        app.stop();
        String loadAfter = uptime();
        MigrationStatus done = control.status();
        long checks = 0;
        for (CohortRecord c : control.cohorts(null)) {
            checks += c.checksPassed();
        }
        assertThat(done.checksFailed()).isZero();
        assertThat(checks).isGreaterThanOrEqualTo(control.cohorts(null).size());

        double rate = done.rowsCopied() / seconds;
        Collections.sort(pauses);
        double p95Before = percentile(before, 0.95) / 1e6;
        double p95During = percentile(during, 0.95) / 1e6;
        String result = String.format(
                "| %,d creators, %,d payments, %d cohorts | pipe %,d rows in %.2f s = %,.0f rows/s (median of %s s) | migration %,d rows"
                        + " copied+verified in %.1f s = %,.0f rows/s (JIT compiling %.2f s of it) | ratio %.2f | flip pause p50 %d ms, p99 %d ms"
                        + " (%d flips) | point p95 before %.2f ms (%d q), during %.2f ms (%d q), ratio %.2f"
                        + " (paused after the ledger cutover: %.2f ms, %d q, ratio %.2f; after the migration: %.2f ms,"
                        + " %d q, ratio %.2f) | migration %s |"
                        + " load %s -> %s | CPU s per 100k rows: pipe %.2f (psql %.2f + server %.2f),"
                        + " migrator %.2f (JVM %.2f + server %.2f), ratio %.1f |"
                        + " driver CPU per point query (readers + fan-out threads) before %.0f us, during %.0f us |",
                CREATORS,
                PAYMENTS,
                control.cohorts(null).size(),
                pipeRows,
                pipeNanos / 1e9,
                pipeRate,
                pipeTimes,
                done.rowsCopied(),
                seconds,
                rate,
                compiling,
                rate / pipeRate,
                pauses.get(pauses.size() / 2),
                pauses.get(Math.min(pauses.size() - 1, (int) Math.ceil(pauses.size() * 0.99) - 1)),
                pauses.size(),
                p95Before,
                before.size(),
                p95During,
                during.size(),
                p95During / p95Before,
                percentile(twoPlaces, 0.95) / 1e6,
                twoPlaces.size(),
                percentile(twoPlaces, 0.95) / 1e6 / p95Before,
                percentile(after, 0.95) / 1e6,
                after.size(),
                percentile(after, 0.95) / 1e6 / p95Before,
                (AFTER_EFFECTIVE ? "in the effective window" : "in the boundary window")
                        + (WARMUP_PAYMENTS > 0
                                ? String.format(
                                        ", JVM warmed by %d migration(s) of %,d payments",
                                        warmUpRounds, WARMUP_PAYMENTS)
                                : ", cold JVM")
                        + String.format(", %d writers and %d readers", WRITERS, READERS),
                load,
                loadAfter,
                per100k(pipeClientMicros / 1e6 + pipeServerCpu, pipeRows),
                per100k(pipeClientMicros / 1e6, pipeRows),
                per100k(pipeServerCpu, pipeRows),
                per100k(migratorClientCpu + migratorServerCpu, done.rowsCopied()),
                per100k(migratorClientCpu, done.rowsCopied()),
                per100k(migratorServerCpu, done.rowsCopied()),
                per100k(migratorClientCpu + migratorServerCpu, done.rowsCopied())
                        / per100k(pipeClientMicros / 1e6 + pipeServerCpu, pipeRows),
                readerCpuBefore / 1e3 / Math.max(1, before.size()),
                readerCpuDuring / 1e3 / Math.max(1, during.size()));
        result += steps(steps, seconds);
        if (TIMELINE) {
            printTimeline(app.timeline, t0, seconds);
        }
        System.out.println("migration bench: " + result);
        Path out = Path.of("target", "migration-bench.md");
        Files.writeString(
                out,
                result + System.lineSeparator(),
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * The wall time of each cohort step summed over the cohorts, and what is left of the migration's wall time
     * (ledger move, creator indexes, the loop between cohorts; negative when moves overlapped).
     */
    private static String steps(Map<MigrationListener.Step, java.util.concurrent.atomic.LongAdder> steps, double wall) {
        StringBuilder sb = new StringBuilder(" time per step summed over cohorts:");
        double sum = 0;
        for (MigrationListener.Step s : MigrationListener.Step.values()) {
            java.util.concurrent.atomic.LongAdder a = steps.get(s);
            double secs = a == null ? 0 : a.sum() / 1e9;
            sum += secs;
            sb.append(String.format(" %s %.2f s,", s.name().toLowerCase(java.util.Locale.ROOT), secs));
        }
        return sb.append(String.format(" other %.2f s |", wall - sum)).toString();
    }

    /**
     * Two routers over a fleet of {@code payments} payments under v1 (seed {@code seed}), v2 published, every v1
     * shard indexed on creator_id and analyzed.
     */
    private static MigrationFleet loaded(Path in, long seed, int payments) throws Exception {
        Files.createDirectories(in);
        MigrationFleet f = new MigrationFleet(
                in,
                new MigrationStrategy(20_000, 2_000, BATCH_ROWS),
                new RollbackTriggers(RollbackTriggers.Action.ROLLBACK, 0, 0, RollbackTriggers.Action.PAUSE),
                new ScenarioDataset(seed, CREATORS, payments, WindowId.parse("2027_W01"), 8));
        try {
            f.router();
            f.router();
            try (Connection c = f.vshard(0);
                    Statement st = c.createStatement()) {
                st.execute("PUBLISH MANIFEST '" + f.v2.toAbsolutePath() + "'");
            }
            f.createTables();
            f.load();
            // A real fleet serves per-creator reads from an index on creator_id; without one, the "before" reads
            // would scan each v1 shard while the "during" reads use the index the migrator builds at its start (the
            // name it looks for, so it finds this one), and the ratio would flatter the migration.
            try (Connection c = f.vshard(0);
                    Statement st = c.createStatement()) {
                st.execute("CREATE INDEX IF NOT EXISTS vshard_payments_creator_id ON payments (creator_id)");
            }
            for (String ds : MigrationFleet.SOURCES) {
                try (Connection c = f.direct(ds);
                        Statement st = c.createStatement()) {
                    st.execute("ANALYZE");
                }
            }
            return f;
        } catch (Exception | AssertionError e) {
            f.close();
            throw e;
        }
    }

    /**
     * Whole migrations of a smaller fleet under the same load before anything is timed, so the JIT has compiled
     * the migrator's, the driver's and pgjdbc's paths as in a router that has run for a while: a migration of a
     * real fleet runs for hours, this one for seconds. One warm-up migration was not enough: the copy's per-row
     * loops (CopyOut, CopyIn, RowMover) were still C1-profiled code after it and C2 compiled them during the timed
     * migration, 2.3-2.8 s of compiler CPU inside a 4.5 s migration on two cores (PrintCompilation, session 14).
     * So warm-up migrations repeat, up to {@code bench.warmUpRounds}, until one spends under
     * {@value #STEADY_JIT_SHARE} of its wall time compiling. The pipe's psql is native code.
     */
    private void warmUp() throws Exception {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        for (int round = 1; round <= WARMUP_ROUNDS; round++) {
            try (MigrationFleet w = loaded(dir.resolve("warm-up-" + round), 11 + round, WARMUP_PAYMENTS)) {
                w.moveClockTo(MigrationFleet.AT_BOUNDARY);
                Load load = new Load(w);
                load.start(WRITERS, READERS);
                Thread.sleep(2_000);
                long t0 = System.nanoTime();
                long compiled0 = jit.getTotalCompilationTime();
                try (Connection c = w.vshard(0);
                        Statement st = c.createStatement()) {
                    st.execute("START MIGRATION");
                }
                MigrationControl control = w.engines.get(0).migrationControl();
                while (!control.status().state().equals("COMPLETE")) {
                    assertThat(control.status().state())
                            .as(
                                    "warm-up migration; last error %s",
                                    control.status().lastError())
                            .isIn("RUNNING", "COMPLETE");
                    Thread.sleep(100);
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                double compiling = (jit.getTotalCompilationTime() - compiled0) / 1e3;
                load.stop();
                warmUpRounds = round;
                System.out.printf(
                        java.util.Locale.ROOT,
                        "warm-up migration %d: %.1f s, %.2f s of it compiling (JIT)%n",
                        round,
                        wall,
                        compiling);
                if (compiling < STEADY_JIT_SHARE * wall) {
                    return;
                }
            }
        }
    }

    /** Whether router 0 already routes ledger rows of the effective window and later to v2. */
    private boolean ledgerCutOver() throws java.sql.SQLException {
        fleet.engines.get(0).refresh();
        return fleet.engines.get(0).routingState().ledgerOnNext();
    }

    /** The point reads' p95 and count per 500 ms, from half a second before {@code t0} to the migration's end. */
    private static void printTimeline(List<long[]> reads, long t0, double seconds) {
        Map<Long, List<Long>> buckets = new java.util.TreeMap<>();
        synchronized (reads) {
            for (long[] r : reads) {
                long b = Math.floorDiv(r[0] - t0, 500_000_000L);
                if (b >= -2 && b <= seconds * 2 + 1) {
                    buckets.computeIfAbsent(b, k -> new ArrayList<>()).add(r[1]);
                }
            }
        }
        StringBuilder sb = new StringBuilder("point reads per 500 ms from START (s: p95 ms / reads):");
        buckets.forEach((b, xs) -> sb.append(String.format(
                java.util.Locale.ROOT, " %.1f: %.2f/%d", b / 2.0, percentile(xs, 0.95) / 1e6, xs.size())));
        System.out.println(sb);
    }

    private static double per100k(double seconds, long rows) {
        return rows == 0 ? 0 : seconds * 100_000.0 / rows;
    }

    /** CPU nanoseconds so far of each live thread of this JVM's migrators (loop and workers), by thread id. */
    private static Map<Long, Long> migratorThreadCpu() {
        return threadCpu("vshard-migrator");
    }

    /** CPU nanoseconds the threads named {@code prefix}... used since {@code then} (threads new since count whole). */
    private static long cpuSince(Map<Long, Long> then, String prefix) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : threadCpu(prefix).entrySet()) {
            sum += e.getValue() - then.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    /** CPU nanoseconds so far of each live thread whose name starts with {@code prefix}, by thread id. */
    private static Map<Long, Long> threadCpu(String prefix) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new LinkedHashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                long ns = mx.getThreadCpuTime(t.getId());
                if (ns >= 0) {
                    out.put(t.getId(), ns);
                }
            }
        }
        return out;
    }

    private static double percentile(List<Long> xs, double q) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.isEmpty() ? 0 : s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * q) - 1));
    }

    private static String uptime() throws IOException {
        String l = Files.readString(Path.of("/proc/loadavg")).strip();
        return l.substring(0, l.indexOf(' ', l.indexOf(' ', l.indexOf(' ') + 1) + 1));
    }

    /**
     * Pipes every v1 row of each table from each source database into a same-defined table on the next
     * database, with psql on both ends, into tables named for {@code run}; returns per pipe {rows, nanos, psql
     * CPU micros}.
     */
    private Map<String, long[]> copyPipe(RoutingState state, int run) throws Exception {
        Map<String, List<String>> schemas = new LinkedHashMap<>();
        for (int s = 0; s < state.active().shardCount(); s++) {
            ShardLocation l = state.active().locate(s);
            schemas.computeIfAbsent(l.dataSource(), k -> new ArrayList<>()).add(l.schema());
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        List<String> sources = new ArrayList<>(schemas.keySet());
        for (int i = 0; i < sources.size(); i++) {
            String from = sources.get(i);
            String to = MigrationFleet.SOURCES.get((MigrationFleet.SOURCES.indexOf(from) + 2) % 4);
            for (String table : List.of("creators", "balances", "payments")) {
                String target = "bench_" + from.substring(3) + "_" + table + "_" + run;
                String template = null;
                for (int s = 0; s < state.next().shardCount() && template == null; s++) {
                    if (state.next().locate(s).dataSource().equals(to)) {
                        template = state.next().locate(s).schema() + "." + table;
                    }
                }
                try (Connection c = fleet.direct(to);
                        Statement st = c.createStatement()) {
                    st.execute("CREATE TABLE public." + target + " (LIKE " + template + " INCLUDING ALL)");
                }
                StringBuilder select = new StringBuilder();
                for (String schema : schemas.get(from)) {
                    select.append(select.length() == 0 ? "" : " UNION ALL ")
                            .append("SELECT * FROM ")
                            .append(schema)
                            .append('.')
                            .append(table);
                }
                String cmd = "psql -h 127.0.0.1 -U postgres -qAt -d " + fleet.prefix + "_" + from.substring(3)
                        + " -c \"COPY (" + select + ") TO STDOUT\" | psql -h 127.0.0.1 -U postgres -qAt -d "
                        + fleet.prefix + "_" + to.substring(3) + " -c \"COPY public." + target + " FROM STDIN\"";
                long t = System.nanoTime();
                // "times" reports the CPU of the shell's children (both psql processes) on its second line.
                Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", cmd + "; rc=$?; times; exit $rc")
                        .redirectErrorStream(true)
                        .start();
                String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor()).as(msg).isZero();
                long nanos = System.nanoTime() - t;
                long rows;
                try (Connection c = fleet.direct(to);
                        Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT count(*) FROM public." + target)) {
                    rs.next();
                    rows = rs.getLong(1);
                }
                // The next pipe and the migration work beside no copies of this one.
                try (Connection c = fleet.direct(to);
                        Statement st = c.createStatement()) {
                    st.execute("DROP TABLE public." + target);
                }
                out.put(from + "." + table, new long[] {rows, nanos, childCpuMicros(msg)});
            }
        }
        return out;
    }

    /** The children's user + system time from the output of bash's {@code times}, in microseconds. */
    private static long childCpuMicros(String times) {
        String[] lines = times.strip().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        long micros = 0;
        for (String x : f) {
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("(\\d+)m([\\d.]+)s").matcher(x);
            if (m.matches()) {
                micros += Long.parseLong(m.group(1)) * 60_000_000L + (long) (Double.parseDouble(m.group(2)) * 1e6);
            }
        }
        return micros;
    }

    /** Light application load: writers inserting payments, readers timing point queries. */
    private static final class Load {
        private final MigrationFleet fleet;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final List<long[]> timeline = Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.atomic.LongAdder readerCpu = new java.util.concurrent.atomic.LongAdder();

        Load(MigrationFleet fleet) {
            this.fleet = fleet;
        }

        void start(int writers, int readers) {
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(daemon(() -> write(id)));
            }
            for (int r = 0; r < readers; r++) {
                int id = r;
                threads.add(daemon(() -> read(id)));
            }
        }

        List<Long> takeLatencies() {
            synchronized (latencies) {
                List<Long> out = new ArrayList<>(latencies);
                latencies.clear();
                return out;
            }
        }

        /** The reader threads' CPU nanoseconds spent in point queries since the last call. */
        long takeReaderCpu() {
            return readerCpu.sumThenReset();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }

        private Thread daemon(Runnable r) {
            Thread t = new Thread(r);
            t.setDaemon(true);
            t.start();
            return t;
        }

        private void write(int writer) {
            SplittableRandom rnd = new SplittableRandom(writer);
            long seq = 0;
            Connection c = null;
            while (!stop.get()) {
                try {
                    if (c == null) {
                        c = fleet.vshard(writer % 2);
                    }
                    Creator k = fleet.dataset.creator(rnd.nextLong(fleet.dataset.creatorCount()));
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO payments (payment_id, creator_id,"
                            + " region, tenant_id, window_id, event_id, amount, currency, created_at) VALUES (?, ?,"
                            + " ?, ?, ?, ?, ?, 'USD', ?)")) {
                        long id = (writer + 1L) * 1_000_000_000L + ++seq;
                        ps.setLong(1, id);
                        ps.setLong(2, k.id());
                        ps.setString(3, k.region());
                        ps.setLong(4, k.id());
                        ps.setString(
                                5, WindowId.containing(fleet.clock.instant()).toString());
                        ps.setLong(6, id);
                        ps.setBigDecimal(7, java.math.BigDecimal.valueOf(rnd.nextLong(1, 100_000), 2));
                        ps.setTimestamp(8, MigrationFleet.ts(fleet.clock.instant()));
                        ps.executeUpdate();
                    }
                    Thread.sleep(5);
                } catch (Exception e) {
                    c = null;
                }
            }
        }

        private void read(int reader) {
            SplittableRandom rnd = new SplittableRandom(~reader);
            Connection c = null;
            while (!stop.get()) {
                try {
                    if (c == null) {
                        c = fleet.vshard(reader % 2);
                    }
                    Creator k = fleet.dataset.creator(rnd.nextLong(fleet.dataset.creatorCount()));
                    long t = System.nanoTime();
                    long cpu = CPU.getCurrentThreadCpuTime();
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT COUNT(*), SUM(amount) FROM payments WHERE creator_id = ? AND region = ?")) {
                        ps.setLong(1, k.id());
                        ps.setString(2, k.region());
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                        }
                    }
                    latencies.add(System.nanoTime() - t);
                    if (TIMELINE) {
                        timeline.add(new long[] {t, System.nanoTime() - t});
                    }
                    readerCpu.add(CPU.getCurrentThreadCpuTime() - cpu);
                    Thread.sleep(2);
                } catch (Exception e) {
                    c = null;
                }
            }
        }
    }
}
