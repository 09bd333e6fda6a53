package io.vshard.migrate;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one task per data source at once. A batch of a move reads from and writes to several databases, each a
 * sequence of round trips on that database's own migrator connection; run side by side, the batch takes as long
 * as its slowest database instead of the sum of all of them.
 *
 * <p>Threading: the caller runs the first data source's task itself and the others on a shared pool of daemon
 * threads; a task must touch only its own data source's connections (a {@link ShardLinks} connection is used by
 * one thread at a time). {@link #run} returns only when every task ended, failed or not, so no connection is
 * still in use by a task when the caller goes on. Only with the system property {@value #PROPERTY}{@code =true};
 * by default every task runs on the caller's thread, one after another: on a loaded 2-core host the side-by-side
 * reads and writes made the migration no faster (15.6 s against 13.2 s) and took the live point-query p95 during it
 * to 4.6x its value before, against 2.1x (BENCHMARKS.md, session 7).
 */
final class ParallelSources implements AutoCloseable {
    /** The system property that turns the per-data-source parallelism on ({@code true}); off by default. */
    static final String PROPERTY = "vshard.migrator.parallelSources";

    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty(PROPERTY, "false"));

    /** One data source's share of a step. */
    interface Task<T> {
        T run(String dataSource) throws SQLException;
    }

    private final ExecutorService pool;
    private final boolean sideBySide;

    /** Side by side as {@link #ENABLED} says. */
    ParallelSources() {
        this(ENABLED);
    }

    /** Side by side when {@code sideBySide}, else one task after another on the caller's thread. */
    ParallelSources(boolean sideBySide) {
        this.sideBySide = sideBySide;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vshard-migrator-source-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code task} for each of {@code sources}; returns the results in the order of {@code sources}. When
     * tasks fail, throws the first one's failure (in that order) after every task ended.
     */
    <T> Map<String, T> run(List<String> sources, Task<T> task) throws SQLException {
        Map<String, T> out = new LinkedHashMap<>();
        if (!sideBySide || sources.size() <= 1) {
            for (String s : sources) {
                out.put(s, task.run(s));
            }
            return out;
        }
        List<Future<T>> others = new ArrayList<>(sources.size() - 1);
        for (String s : sources.subList(1, sources.size())) {
            others.add(pool.submit(() -> task.run(s)));
        }
        Throwable failed = null;
        try {
            out.put(sources.get(0), task.run(sources.get(0)));
        } catch (SQLException | RuntimeException e) {
            failed = e;
        }
        boolean interrupted = false;
        for (int i = 0; i < others.size(); i++) {
            while (true) {
                try {
                    T r = others.get(i).get();
                    out.put(sources.get(i + 1), r);
                    break;
                } catch (ExecutionException e) {
                    failed = failed == null ? e.getCause() : failed;
                    break;
                } catch (InterruptedException e) {
                    // A kill interrupts the worker; its connections are closed, so the tasks end soon: wait for
                    // them all the same, so none still runs when this worker's thread is reused.
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed instanceof SQLException q) {
            throw q;
        }
        if (failed instanceof RuntimeException r) {
            throw r;
        }
        if (failed != null) {
            throw new SQLException("a data source's share of a batch failed: " + failed, "XX000", failed);
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
