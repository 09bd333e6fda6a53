package io.vshard.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Throughput ratios that hold on a loaded machine: the targets take turns in short blocks over the same data in
 * one process (raw, vshard, ShardingSphere, the order rotated every round), so a change in the machine's load
 * hits all of them alike, and every round yields one ratio. The report gives the median ratio with its
 * quartiles, the median throughput and the bytes allocated per operation (read from the worker threads'
 * allocation counters, so it counts the client side only, like JMH's {@code -prof gc}).
 */
final class PairedRunner {
    private static final String[] TARGETS = {"raw", "vshard", "shardingsphere"};
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private static final long WARM_UP_OPS = 10_000;
    private static final long WARM_UP_LIMIT_MILLIS = 15_000;

    private final int rounds;
    private final long blockMillis;
    // -Dbench.workloads=pointSelect narrows a run to one workload (the warm-up too).
    private final List<String> workloads =
            List.of(System.getProperty("bench.workloads", "pointSelect,insert").split(","));

    PairedRunner(int rounds, long blockMillis) {
        this.rounds = rounds;
        this.blockMillis = blockMillis;
    }

    /**
     * What one block measured: operations per second, bytes allocated per operation and this process's CPU time
     * per operation in microseconds (every thread of the client JVM: the workers, the pools' housekeeping, the
     * JIT and GC; the database server's CPU is not in it).
     */
    private record Block(double opsPerSecond, double bytesPerOp, double cpuMicrosPerOp) {}

    /** Runs every workload and thread count on {@code fleet}'s backend; returns the report's table rows. */
    String run(BenchFleet fleet, int[] threadCounts) throws Exception {
        List<PointWorkload> targets = new ArrayList<>();
        StringBuilder rows = new StringBuilder();
        ExecutorService workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "paired-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            for (String target : TARGETS) {
                targets.add(new PointWorkload(fleet, target, Targets.open(target, fleet)));
            }
            // ShardingSphere's deep call paths need thousands of operations before the JIT has compiled them;
            // a timed warm-up on a loaded machine would measure the interpreter.
            for (PointWorkload w : targets) {
                for (String workload : workloads) {
                    long deadline = System.nanoTime() + WARM_UP_LIMIT_MILLIS * 1_000_000L;
                    long ops = 0;
                    while (ops < WARM_UP_OPS && System.nanoTime() < deadline) {
                        Block b = block(workers, w, workload, 1, 500);
                        ops += (long) (b.opsPerSecond() / 2);
                    }
                }
            }
            for (String workload : workloads) {
                for (int threads : threadCounts) {
                    rows.append(measure(workers, targets, fleet, workload, threads));
                }
            }
        } finally {
            workers.shutdownNow();
            for (PointWorkload w : targets) {
                Targets.close(w.dataSource());
            }
        }
        return rows.toString();
    }

    private String measure(
            ExecutorService workers, List<PointWorkload> targets, BenchFleet fleet, String workload, int threads)
            throws Exception {
        for (PointWorkload w : targets) {
            block(workers, w, workload, threads, Math.max(1000, blockMillis));
        }
        Block[][] blocks = new Block[TARGETS.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < TARGETS.length; k++) {
                int t = (r + k) % TARGETS.length;
                blocks[t][r] = block(workers, targets.get(t), workload, threads, blockMillis);
            }
        }
        return String.format(
                Locale.ROOT,
                "| %s | %s | %d | %.0f | %.0f | %.0f | %s | %s | %s | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f |%n",
                workload,
                fleet.backend().key(),
                threads,
                median(ops(blocks[0])),
                median(ops(blocks[1])),
                median(ops(blocks[2])),
                ratio(blocks[1], blocks[0]),
                ratio(blocks[2], blocks[0]),
                ratio(blocks[1], blocks[2]),
                median(bytes(blocks[0])),
                median(bytes(blocks[1])),
                median(bytes(blocks[2])),
                median(cpu(blocks[0])),
                median(cpu(blocks[1])),
                median(cpu(blocks[2])));
    }

    private static Block block(ExecutorService workers, PointWorkload w, String workload, int threads, long millis)
            throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long cpuStarted = OS.getProcessCpuTime();
        long started = System.nanoTime();
        List<Future<long[]>> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            long seed = System.nanoTime() + i;
            running.add(workers.submit(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                long allocated = THREADS.getCurrentThreadAllocatedBytes();
                long ops = 0;
                long sink = 0;
                while (System.nanoTime() < deadline) {
                    sink += workload.equals("insert") ? w.insert(random) : w.pointSelect(random);
                    ops++;
                }
                return new long[] {ops, THREADS.getCurrentThreadAllocatedBytes() - allocated, sink};
            }));
        }
        long ops = 0;
        long bytes = 0;
        for (Future<long[]> f : running) {
            long[] r = f.get();
            ops += r[0];
            bytes += r[1];
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long cpu = OS.getProcessCpuTime() - cpuStarted;
        return new Block(
                ops / seconds,
                ops == 0 ? Double.NaN : bytes / (double) ops,
                ops == 0 ? Double.NaN : cpu / 1000.0 / ops);
    }

    private static double[] ops(Block[] blocks) {
        return Arrays.stream(blocks).mapToDouble(Block::opsPerSecond).toArray();
    }

    private static double[] bytes(Block[] blocks) {
        return Arrays.stream(blocks).mapToDouble(Block::bytesPerOp).toArray();
    }

    private static double[] cpu(Block[] blocks) {
        return Arrays.stream(blocks).mapToDouble(Block::cpuMicrosPerOp).toArray();
    }

    /** The median of the per-round ratios a/b with the first and third quartiles. */
    private static String ratio(Block[] a, Block[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i].opsPerSecond() / b[i].opsPerSecond();
        }
        Arrays.sort(r);
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", quantile(r, 0.5), quantile(r, 0.25), quantile(r, 0.75));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return quantile(v, 0.5);
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** The table header of {@link #run}'s rows. */
    static String header(int rounds, long blockMillis) {
        return "\n### Paired blocks (" + rounds + " rounds of " + blockMillis + " ms per target, order rotated;"
                + " ratio = median of per-round ratios, quartiles in brackets)\n\n"
                + "| workload | backend | threads | raw ops/s | vshard ops/s | ShardingSphere ops/s | vshard/raw"
                + " | SS/raw | vshard/SS | B/op raw | B/op vshard | B/op SS | CPU us/op raw | CPU us/op vshard"
                + " | CPU us/op SS |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    }
}
