package io.vshard.engine;

import io.vshard.config.Dialect;
import io.vshard.engine.merge.ColumnInfo;
import io.vshard.engine.merge.LimitSource;
import io.vshard.engine.merge.ListSource;
import io.vshard.engine.merge.MergeSources;
import io.vshard.engine.merge.ResultSetSource;
import io.vshard.engine.merge.RowMetaData;
import io.vshard.engine.merge.RowResultSet;
import io.vshard.engine.merge.RowSource;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.ShardLocation;
import io.vshard.sql.Merge;
import io.vshard.sql.ShardStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Runs a fan-out read outside a transaction, in parallel on the engine's bounded executor, and merges it.
 *
 * <p>Per data source, all the connections the read needs are taken at once (data sources in name order), so
 * concurrent fan-outs cannot deadlock on a pool. When a data source holds no more of the target shards than
 * its pool size, each shard streams on its own connection: memory stays bounded by fetch size × shards. When
 * it holds more (128 shards on a pool of 8), its shards are read by pool-size workers, each shard's result
 * held in memory until merged; the sql-rewrite layer pushes LIMIT down so such results stay small for
 * top-N queries, but a full scan of many co-located shards is held whole.
 */
final class FanOut {
    // Streamed shards run on the caller's thread per fan-out, one after the other: a read of a key in two
    // places during a migration then needs no hand-off to the executor (measured: less CPU per point read and
    // no worse p95 than one shard there, BENCHMARKS.md session 9); -Dvshard.fanout.inline=1 for one.
    private static final int INLINE = Math.max(1, Integer.getInteger("vshard.fanout.inline", 2));
    private final Engine engine;
    private final RunningStatements running;
    private final SessionSettings settings;

    FanOut(Engine engine, RunningStatements running, SessionSettings settings) {
        this.engine = engine;
        this.running = running;
        this.settings = settings;
    }

    Result read(List<ShardStatement> statements, Merge merge, StatementOptions o) throws SQLException {
        Map<String, List<Integer>> byDs = new TreeMap<>();
        for (int i = 0; i < statements.size(); i++) {
            byDs.computeIfAbsent(statements.get(i).shard().location().dataSource(), k -> new ArrayList<>())
                    .add(i);
        }
        Map<String, Integer> taken = new TreeMap<>();
        try {
            for (Map.Entry<String, List<Integer>> e : byDs.entrySet()) {
                DataSourcePool pool = engine.dataSources().pool(e.getKey());
                int n = Math.min(e.getValue().size(), pool.size());
                Permits.take(pool, n, "fan-out over data source '" + e.getKey() + "'");
                taken.put(e.getKey(), n);
            }
        } catch (SQLException | RuntimeException ex) {
            taken.forEach((ds, n) -> engine.dataSources().pool(ds).release(n));
            throw ex;
        }
        Slot[] slots = new Slot[statements.size()];
        List<Future<?>> futures = new ArrayList<>();
        // Streamed shards run on the caller's thread, which would only wait otherwise: one hand-off fewer per
        // shard run there.
        List<Integer> inline = new ArrayList<>(INLINE);
        for (Map.Entry<String, List<Integer>> e : byDs.entrySet()) {
            DataSourcePool pool = engine.dataSources().pool(e.getKey());
            List<Integer> indexes = e.getValue();
            if (indexes.size() <= pool.size()) {
                for (int i : indexes) {
                    if (inline.size() < INLINE) {
                        inline.add(i);
                        continue;
                    }
                    futures.add(engine.executor().submit(() -> {
                        slots[i] = stream(pool, statements.get(i), o);
                        return null;
                    }));
                }
            } else {
                ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>(indexes);
                for (int w = 0; w < pool.size(); w++) {
                    futures.add(engine.executor().submit(() -> {
                        materialize(pool, queue, statements, slots, o);
                        return null;
                    }));
                }
            }
        }
        SQLException inlineFailure = null;
        for (int i : inline) {
            ShardStatement s = statements.get(i);
            try {
                slots[i] = stream(engine.dataSources().pool(s.shard().location().dataSource()), s, o);
            } catch (SQLException | RuntimeException ex) {
                inlineFailure = ex instanceof SQLException se ? se : new SQLException(ex.toString(), "XX000", ex);
                break;
            }
        }
        SQLException failure = await(futures);
        if (inlineFailure != null) {
            if (failure != null) {
                inlineFailure.addSuppressed(failure);
            }
            failure = inlineFailure;
        }
        List<RowSource> sources = new ArrayList<>();
        List<ColumnInfo> columns = null;
        for (Slot s : slots) {
            if (s != null) {
                sources.add(s.source());
                if (columns == null) {
                    columns = s.columns();
                }
            }
        }
        if (failure != null || sources.size() != statements.size()) {
            for (RowSource s : sources) {
                ShardRunner.closeQuietly(s);
            }
            throw failure != null
                    ? failure
                    : VShardSQLException.of(VShardState.CANCELLED, null, "the fan-out read was interrupted");
        }
        List<ShardLocation> locations = new ArrayList<>(statements.size());
        statements.forEach(s -> locations.add(s.shard().location()));
        return merged(sources, locations, merge, columns, o);
    }

    private Slot stream(DataSourcePool pool, ShardStatement s, StatementOptions o) throws SQLException {
        Lease lease = Lease.borrow(pool, ShardRunner.describe(s.shard()));
        try {
            if (o.fetchSize() > 0 && pool.dialect() == Dialect.POSTGRESQL) {
                lease.connection().setAutoCommit(false);
                lease.commitOnClose();
            }
            ShardRunner.Outcome out = ShardRunner.run(lease, s, o, running, settings);
            if (out.rows() == null) {
                throw VShardSQLException.of(VShardState.INVALID_USE, null, "a fan-out read returned no rows");
            }
            List<ColumnInfo> cols = ColumnInfo.of(out.rows().getMetaData(), -1);
            RowSource src = new ResultSetSource(out.rows(), () -> {
                running.remove(out.statement());
                ShardRunner.closeQuietly(out.statement());
                lease.close();
            });
            return new Slot(src, cols);
        } catch (SQLException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    private void materialize(
            DataSourcePool pool,
            ConcurrentLinkedQueue<Integer> queue,
            List<ShardStatement> statements,
            Slot[] slots,
            StatementOptions o)
            throws SQLException {
        try (Lease lease = Lease.borrow(pool, "data source '" + pool.config().name() + "'")) {
            for (Integer i = queue.poll(); i != null; i = queue.poll()) {
                ShardRunner.Outcome out = ShardRunner.run(lease, statements.get(i), o, running, settings);
                try {
                    if (out.rows() == null) {
                        throw VShardSQLException.of(VShardState.INVALID_USE, null, "a fan-out read returned no rows");
                    }
                    List<ColumnInfo> cols = ColumnInfo.of(out.rows().getMetaData(), -1);
                    slots[i] =
                            new Slot(new ListSource(MergeSources.drain(new ResultSetSource(out.rows(), null))), cols);
                } finally {
                    running.remove(out.statement());
                    ShardRunner.closeQuietly(out.statement());
                }
            }
        }
    }

    private static SQLException await(List<Future<?>> futures) {
        SQLException failure = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : VShardSQLException.of(VShardState.CANCELLED, e, "interrupted");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                SQLException s = c instanceof SQLException se ? se : new SQLException(c.toString(), "XX000", c);
                if (failure == null) {
                    failure = s;
                } else {
                    failure.addSuppressed(s);
                }
            }
        }
        return failure;
    }

    private static int visible(Merge merge, int columns) {
        return merge.visibleColumns() < 0 ? columns : Math.min(columns, merge.visibleColumns());
    }

    /** The merged result of per-shard sources (a merge without a placement check). */
    static Result merged(List<RowSource> sources, Merge plannedMerge, List<ColumnInfo> columns, StatementOptions o) {
        return merged(sources, List.of(), plannedMerge, columns, o);
    }

    /** The merged result of per-shard sources read at {@code locations} (same order). */
    static Result merged(
            List<RowSource> sources,
            List<ShardLocation> locations,
            Merge plannedMerge,
            List<ColumnInfo> columns,
            StatementOptions o) {
        Merge merge = plannedMerge.resolve(columns.size());
        RowSource merged = MergeSources.merge(sources, locations, merge, columns.size());
        if (o.maxRows() > 0) {
            merged = new LimitSource(merged, 0, o.maxRows());
        }
        List<ColumnInfo> shown = columns.subList(0, visible(merge, columns.size()));
        return new Result(new RowResultSet(merged, new RowMetaData(shown)), -1, null, null);
    }

    private record Slot(RowSource source, List<ColumnInfo> columns) {}
}
