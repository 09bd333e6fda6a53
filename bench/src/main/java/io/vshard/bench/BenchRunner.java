package io.vshard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.profile.StackProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark in one go and reports ratios against the baseline measured in the same run: it creates
 * the PostgreSQL databases (64 schemas for the point workload, 128 for fan-out), passes their URLs to the JMH
 * forks, prints and writes {@code bench/target/bench-results.md}, and drops the databases. Arguments:
 * {@code paired} (the targets in alternating blocks in this process: the ratios to trust on a loaded machine),
 * {@code driver} (JMH, one trial per target) and/or {@code fanout} (default all three); {@code -Dbench.stack=true} adds JMH's stack profiler;
 * {@code -Dbench.include=pointSelect}, {@code -Dbench.targets=raw,vshard}, {@code -Dbench.backends=h2} narrow it.
 */
public final class BenchRunner {
    private BenchRunner() {}

    public static void main(String[] args) throws Exception {
        List<String> parts = args.length == 0 ? List.of("paired", "driver", "fanout") : List.of(args);
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String pointDb = "vshard_bench_" + id;
        String fanDb = "vshard_bench_fan_" + id;
        Path out = Path.of("target", "bench-fanout-heap.txt").toAbsolutePath();
        Files.createDirectories(out.getParent());
        Files.deleteIfExists(out);
        StringBuilder report = new StringBuilder();
        report.append("load average at start: ").append(loadAverage()).append('\n');
        try {
            BenchFleet.createPostgres(pointDb, DriverBench.SHARDS, DriverBench.ROWS_PER_SHARD);
            BenchFleet.createPostgres(fanDb, FanOutBench.SHARDS, FanOutBench.ROWS_PER_SHARD);
            String[] jvm = {
                "-Xms1g",
                "-Xmx1g",
                "-Dbench.pg.url=" + BenchFleet.PG_SERVER + pointDb,
                "-Dbench.pgfan.url=" + BenchFleet.PG_SERVER + fanDb,
                "-Dbench.out=" + out,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
            };
            if (parts.contains("paired")) {
                int rounds = Integer.getInteger("bench.rounds", 15);
                long block = Long.getLong("bench.blockMillis", 400);
                PairedRunner paired = new PairedRunner(rounds, block);
                report.append(PairedRunner.header(rounds, block));
                String pairedBackends = System.getProperty("bench.backends", "postgresql,h2");
                int[] threads = Arrays.stream(
                                System.getProperty("bench.threads", "1,8").split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray();
                if (pairedBackends.contains("postgresql")) {
                    report.append(paired.run(
                            new BenchFleet(
                                    BenchFleet.Backend.POSTGRESQL,
                                    BenchFleet.PG_SERVER + pointDb,
                                    "postgres",
                                    DriverBench.SHARDS,
                                    DriverBench.ROWS_PER_SHARD),
                            threads));
                }
                if (pairedBackends.contains("h2")) {
                    report.append(paired.run(
                            BenchFleet.createH2("paired" + id, DriverBench.SHARDS, DriverBench.ROWS_PER_SHARD),
                            threads));
                }
                report.append("load average: ").append(loadAverage()).append('\n');
            }
            if (parts.contains("driver")) {
                for (int threads : new int[] {1, 8}) {
                    Collection<RunResult> r = new Runner(options(DriverBench.class, threads, jvm, 3, 1, 5, 2)
                                    .build())
                            .run();
                    report.append(driverTable(r, threads));
                    report.append("load average: ").append(loadAverage()).append('\n');
                }
            }
            if (parts.contains("fanout")) {
                String[] small = jvm.clone();
                small[0] = "-Xms256m";
                small[1] = "-Xmx256m";
                Collection<RunResult> r = new Runner(
                                options(FanOutBench.class, 1, small, 2, 1, 3, 2).build())
                        .run();
                report.append(fanOutTable(r, out));
                report.append("load average: ").append(loadAverage()).append('\n');
            }
        } finally {
            BenchFleet.dropPostgres(pointDb);
            BenchFleet.dropPostgres(fanDb);
        }
        System.out.println();
        System.out.println(report);
        Files.writeString(Path.of("target", "bench-results.md"), report.toString());
    }

    private static ChainedOptionsBuilder options(
            Class<?> bench, int threads, String[] jvm, int warmups, int warmupSeconds, int iterations, int seconds) {
        String include = System.getProperty("bench.include", "");
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(bench.getName() + "\\." + include)
                .forks(1)
                .threads(threads)
                .warmupIterations(Integer.getInteger("bench.warmups", warmups))
                .warmupTime(TimeValue.seconds(warmupSeconds))
                .measurementIterations(Integer.getInteger("bench.iterations", iterations))
                .measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend(withForkOpts(jvm))
                .addProfiler(GCProfiler.class);
        String targets = System.getProperty("bench.targets");
        if (targets != null) {
            o.param("target", targets.split(","));
        }
        String backends = System.getProperty("bench.backends");
        if (backends != null) {
            o.param("backend", backends.split(","));
        }
        if (Boolean.getBoolean("bench.stack")) {
            o.addProfiler(StackProfiler.class, "lines=12;top=25;detailLine=true");
        }
        return o;
    }

    /** Lets a profiler agent ride along in the forked JVM ({@code -Dbench.forkOpts="-agentpath:..."}). */
    private static String[] withForkOpts(String[] jvm) {
        String forkOpts = System.getProperty("bench.forkOpts", "").trim();
        if (forkOpts.isEmpty()) {
            return jvm;
        }
        List<String> all = new ArrayList<>(List.of(jvm));
        all.addAll(List.of(forkOpts.split("\\s+")));
        return all.toArray(String[]::new);
    }

    private record Cell(double score, double allocPerOp) {}

    private static Map<String, Cell> cells(Collection<RunResult> results) {
        Map<String, Cell> cells = new LinkedHashMap<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            bench = bench.substring(bench.lastIndexOf('.') + 1);
            String key = bench + "|" + r.getParams().getParam("backend") + "|"
                    + r.getParams().getParam("target");
            var sec = r.getSecondaryResults();
            Result<?> alloc = sec.containsKey("gc.alloc.rate.norm")
                    ? sec.get("gc.alloc.rate.norm")
                    : sec.get("\u00b7gc.alloc.rate.norm");
            cells.put(key, new Cell(r.getPrimaryResult().getScore(), alloc == null ? Double.NaN : alloc.getScore()));
        }
        return cells;
    }

    private static String driverTable(Collection<RunResult> results, int threads) {
        Map<String, Cell> c = cells(results);
        StringBuilder t = new StringBuilder();
        t.append("\n### ")
                .append(threads)
                .append(threads == 1 ? " thread" : " threads")
                .append(" (ops/s)\n\n");
        t.append("| workload | backend | raw ops/s | vshard ops/s | ShardingSphere ops/s | vshard/raw | SS/raw"
                + " | vshard/SS | B/op raw | B/op vshard | B/op SS |\n");
        t.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> seen = new ArrayList<>();
        for (String key : c.keySet()) {
            String row = key.substring(0, key.lastIndexOf('|'));
            if (seen.contains(row)) {
                continue;
            }
            seen.add(row);
            Cell raw = c.get(row + "|raw");
            Cell vs = c.get(row + "|vshard");
            Cell ss = c.get(row + "|shardingsphere");
            String[] names = row.split("\\|");
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    names[0],
                    names[1],
                    num(raw, false),
                    num(vs, false),
                    num(ss, false),
                    ratio(vs, raw),
                    ratio(ss, raw),
                    ratio(vs, ss),
                    num(raw, true),
                    num(vs, true),
                    num(ss, true)));
        }
        return t.toString();
    }

    private static String fanOutTable(Collection<RunResult> results, Path heapFile) throws Exception {
        Map<String, Cell> c = cells(results);
        Map<String, String> heap = new LinkedHashMap<>();
        if (Files.exists(heapFile)) {
            for (String line : Files.readAllLines(heapFile)) {
                String[] f = line.trim().split(" ");
                heap.merge(
                        f[0] + "|" + f[1] + "|" + f[2],
                        f[3],
                        (a, b) -> String.valueOf(Math.max(Long.parseLong(a), Long.parseLong(b))));
            }
        }
        StringBuilder t = new StringBuilder("\n### 128-shard fan-out (ms/op, 256 MB heap)\n\n");
        t.append("| query | backend | raw (one table) ms | vshard ms | vshard/raw time | B/op raw | B/op vshard"
                + " | peak heap raw MB | peak heap vshard MB |\n|---|---|---|---|---|---|---|---|---|\n");
        List<String> seen = new ArrayList<>();
        for (String key : c.keySet()) {
            String row = key.substring(0, key.lastIndexOf('|'));
            if (seen.contains(row)) {
                continue;
            }
            seen.add(row);
            String[] names = row.split("\\|");
            Cell raw = c.get(row + "|raw");
            Cell vs = c.get(row + "|vshard");
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    names[0],
                    names[1],
                    raw == null ? "-" : String.format(Locale.ROOT, "%.2f", raw.score()),
                    vs == null ? "-" : String.format(Locale.ROOT, "%.2f", vs.score()),
                    ratio(vs, raw),
                    num(raw, true),
                    num(vs, true),
                    mb(heap.get(row + "|raw")),
                    mb(heap.get(row + "|vshard"))));
        }
        return t.toString();
    }

    private static String mb(String bytes) {
        return bytes == null ? "-" : String.format(Locale.ROOT, "%.0f", Long.parseLong(bytes) / 1048576.0);
    }

    private static String num(Cell c, boolean alloc) {
        if (c == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f", alloc ? c.allocPerOp() : c.score());
    }

    private static String ratio(Cell a, Cell b) {
        return a == null || b == null ? "-" : String.format(Locale.ROOT, "%.2f", a.score() / b.score());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
