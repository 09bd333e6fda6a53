package io.vshard.migrate;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.digest.CohortDigest;
import io.vshard.manifest.digest.RowDigest;
import io.vshard.manifest.digest.RowEncoder;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Copies and digests the rows of a {@link Scope}, a batch of creators at a time.
 *
 * <p>For each row read at a location, the placement function says where the row lives before the move and
 * where it lives after. A row read where it lives before is a source row and is copied to where it lives
 * after (unless that is the same physical location: no copy). A row read where it lives after, but not
 * before, is a copy: it is replaced. Each target location is rewritten in one local transaction per batch
 * (delete the old copies by primary key, insert the source rows), so re-running a batch is idempotent and a
 * migrator killed mid-batch leaves either the old or the new batch.
 */
final class RowMover {
    private final ShardLinks links;
    private final List<TableRule> tables;
    private final ParallelSources parallel;

    /** A mover over {@code links} whose reads and writes of a batch run per data source on {@code parallel}. */
    RowMover(ShardLinks links, List<TableRule> tables, ParallelSources parallel) {
        this.links = links;
        this.tables = List.copyOf(tables);
        this.parallel = parallel;
    }

    /**
     * Per data source and table, the COPY text layout, or {@link #NO_TEXT} when its rows take the JDBC path
     * (concurrent: each data source's reads run on their own thread, see {@link ParallelSources}).
     */
    private final Map<List<String>, TableRows.Batch> textLayouts = new java.util.concurrent.ConcurrentHashMap<>();

    private static final TableRows.Batch NO_TEXT =
            new TableRows.Batch(List.of(), new int[0], new int[0], List.of(), List.of());

    /**
     * The layout under which rows of {@code t} on {@code c}'s data source travel as COPY text, or {@code null}:
     * only when every data source is PostgreSQL (a row read as text is written only with COPY) and the table's
     * columns all have a text form {@link CopyText} digests. Shards of one table share its definition, so the
     * first location asked for stands for the data source.
     */
    private TableRows.Batch textLayout(Connection c, ShardLocation l, TableRule t) throws SQLException {
        if (!links.allPostgres()) {
            return null;
        }
        List<String> key = List.of(l.dataSource(), t.name());
        TableRows.Batch b = textLayouts.get(key);
        if (b == null) {
            b = CopyOut.layout(c, l, t);
            textLayouts.put(key, b == null ? NO_TEXT : b);
        }
        return b == NO_TEXT ? null : b;
    }

    /**
     * Digests of a scope on both sides, per table and creator, and the rows copied. Per creator so a check
     * taken before a fence can be brought up to date under it by re-digesting only the creators the final
     * delta touched (see {@link CreatorDigests}).
     */
    static final class Tally {
        final Map<String, Map<Long, CohortDigest.Accumulator>> before = new LinkedHashMap<>();
        final Map<String, Map<Long, CohortDigest.Accumulator>> after = new LinkedHashMap<>();
        long copied;
        long deleted;
        /** The rows copied per cohort (a pass over several cohorts attributes its rows to each). */
        final Map<Integer, Long> copiedByCohort = new java.util.HashMap<>();

        void add(Map<String, Map<Long, CohortDigest.Accumulator>> side, String table, long creator, RowDigest d) {
            side.computeIfAbsent(table, k -> new java.util.HashMap<>())
                    .computeIfAbsent(creator, k -> new CohortDigest.Accumulator())
                    .add(d);
        }

        /** The digest per table of one side. */
        static Map<String, CohortDigest> totals(Map<String, Map<Long, CohortDigest.Accumulator>> side) {
            Map<String, CohortDigest> out = new LinkedHashMap<>();
            side.forEach((table, creators) -> {
                CohortDigest sum = CohortDigest.EMPTY;
                for (CohortDigest.Accumulator a : creators.values()) {
                    sum = sum.combine(a.result());
                }
                out.put(table, sum);
            });
            return out;
        }
    }

    /**
     * Copies (when {@code apply}) and digests the rows of {@code creators} under {@code scope}.
     *
     * <p>Each creator is read only where its rows may be: every candidate of its key before and after the move,
     * and of the key without its region (the creator's shard in every region's share), so a row whose region
     * differs from the one the key carries is still read where it sits. A row at any other location is neither
     * where it lives before nor where it lives after, so the settling below would skip it anyway.
     */
    void creators(Scope scope, Collection<ShardKey> creators, boolean apply, Tally tally) throws SQLException {
        creators(scope, creators, List.of(scope.from(), scope.to()), apply, tally, !apply);
    }

    /**
     * Copies the rows of {@code creators} under {@code scope}, digesting the rows read only when {@code digest}
     * (a copy whose old-side digests stand in for a second read of the old side). With {@code sourcesOnly} (a
     * first copy of creators that have no copies yet) only where rows live before the move is read: the places
     * after it, where stale copies would be found and deleted, hold none. Should one be there after all, the
     * COPY fails on its primary key or the digest check finds it; nothing is skipped silently.
     */
    void copy(Scope scope, Collection<ShardKey> creators, Tally tally, boolean sourcesOnly, boolean digest)
            throws SQLException {
        List<RoutingState> sides = sourcesOnly ? List.of(scope.from()) : List.of(scope.from(), scope.to());
        creators(scope, creators, sides, true, tally, digest);
    }

    /**
     * Digests the rows of {@code creators} where they live after the move only (into {@code tally.after}):
     * reads only the candidates of {@code scope.to()}, for a check whose old side was digested from the rows
     * the copy read.
     */
    void newSide(Scope scope, Collection<ShardKey> creators, Tally tally) throws SQLException {
        creators(scope, creators, List.of(scope.to()), false, tally, true);
    }

    private void creators(
            Scope scope,
            Collection<ShardKey> creators,
            List<RoutingState> sides,
            boolean apply,
            Tally tally,
            boolean digest)
            throws SQLException {
        // Per table, per data source, per location, the creators that may sit there: one read per data source.
        List<Map<String, Map<ShardLocation, Set<Long>>>> whereByTable = new ArrayList<>(tables.size());
        Set<String> sources = new LinkedHashSet<>();
        for (TableRule t : tables) {
            Map<String, Map<ShardLocation, Set<Long>>> where = new LinkedHashMap<>();
            for (ShardKey k : creators) {
                Set<ShardLocation> at = new LinkedHashSet<>();
                ShardKey any = ShardKey.of(k.creatorId(), null);
                for (RoutingState s : sides) {
                    for (LogicalShard l : Placement.locate(s, t, k, null).candidates()) {
                        at.add(l.location());
                    }
                    if (k.region() != null) {
                        for (LogicalShard l : Placement.locate(s, t, any, null).candidates()) {
                            at.add(l.location());
                        }
                    }
                }
                for (ShardLocation l : at) {
                    where.computeIfAbsent(l.dataSource(), d -> new LinkedHashMap<>())
                            .computeIfAbsent(l, x -> new LinkedHashSet<>())
                            .add(k.creatorId());
                }
            }
            whereByTable.add(where);
            sources.addAll(where.keySet());
        }
        long startedAt = System.nanoTime();
        // Each data source reads every table on its own connection, side by side with the others.
        Map<String, List<Map<ShardLocation, TableRows.Batch>>> got = parallel.run(new ArrayList<>(sources), ds -> {
            List<Map<ShardLocation, TableRows.Batch>> perTable = new ArrayList<>(tables.size());
            for (int i = 0; i < tables.size(); i++) {
                Map<ShardLocation, Set<Long>> here = whereByTable.get(i).get(ds);
                perTable.add(here == null ? Map.of() : read(ds, here, tables.get(i)));
            }
            return perTable;
        });
        long readAt = System.nanoTime();
        Writes writes = new Writes();
        for (int i = 0; i < tables.size(); i++) {
            Map<ShardLocation, TableRows.Batch> read = new LinkedHashMap<>();
            for (String ds : whereByTable.get(i).keySet()) {
                read.putAll(got.get(ds).get(i));
            }
            settle(scope, tables.get(i), read, digest ? tally : null, writes);
        }
        long settledAt = System.nanoTime();
        if (apply) {
            writes.apply(links, parallel, tally);
        }
        timing[0] += readAt - startedAt;
        timing[1] += settledAt - readAt;
        timing[2] += System.nanoTime() - settledAt;
    }

    /** Nanoseconds spent reading, settling (placement, digests) and writing since the last {@link #timing()}. */
    private final long[] timing = new long[3];

    /** The read / settle / write milliseconds since the last call, for the debug log; resets them. */
    String timing() {
        String out = "read " + timing[0] / 1_000_000L + " ms, settle " + timing[1] / 1_000_000L + " ms, write "
                + timing[2] / 1_000_000L + " ms";
        java.util.Arrays.fill(timing, 0);
        return out;
    }

    /** The rows of {@code t} of the given creators at locations of data source {@code ds}, in one read. */
    private Map<ShardLocation, TableRows.Batch> read(String ds, Map<ShardLocation, Set<Long>> where, TableRule t)
            throws SQLException {
        Connection c = links.get(ds, ShardLinks.READ);
        TableRows.Batch text = textLayout(c, where.keySet().iterator().next(), t);
        if (text == null) {
            return TableRows.read(c, where, t);
        }
        try {
            return CopyOut.read(c, where, t, text);
        } catch (SQLException ex) {
            // The table may have changed since its layout was taken (a column added): the step that failed is
            // retried and takes the layout again.
            textLayouts.remove(List.of(ds, t.name()));
            throw ex;
        }
    }

    /** Copies (when {@code apply}) and digests every ledger row of {@code scope} at {@code locations}. */
    void ledger(Scope.Ledger scope, Collection<ShardLocation> locations, boolean apply, Tally tally)
            throws SQLException {
        for (TableRule t : tables) {
            if (!t.windowed()) {
                continue;
            }
            Map<String, List<ShardLocation>> bySource = new LinkedHashMap<>();
            for (ShardLocation l : locations) {
                bySource.computeIfAbsent(l.dataSource(), d -> new ArrayList<>()).add(l);
            }
            // Each data source reads its locations on its own connection, side by side with the others.
            Map<String, Map<ShardLocation, TableRows.Batch>> got =
                    parallel.run(new ArrayList<>(bySource.keySet()), ds -> {
                        Connection c = links.get(ds, ShardLinks.READ);
                        Map<ShardLocation, TableRows.Batch> mine = new LinkedHashMap<>();
                        for (ShardLocation l : bySource.get(ds)) {
                            mine.put(
                                    l,
                                    TableRows.readFromWindow(
                                            c, l, t, scope.to().next().effectiveWindow()));
                        }
                        return mine;
                    });
            Map<ShardLocation, TableRows.Batch> read = new LinkedHashMap<>();
            for (ShardLocation l : locations) {
                read.put(l, got.get(l.dataSource()).get(l));
            }
            Writes writes = new Writes();
            settle(scope, t, read, apply ? null : tally, writes);
            if (apply) {
                writes.apply(links, parallel, tally);
            }
        }
    }

    /** One location's pending rewrite of one table. */
    private record Rewrite(
            ShardLocation at,
            TableRule table,
            TableRows.Batch layout,
            List<Object> deletes,
            List<TableRows.Row> inserts) {}

    /**
     * The rewrites of one batch, applied in one local transaction per data source (every table and schema of
     * it), so re-running a batch is idempotent and a migrator killed mid-batch leaves each data source with
     * either the old or the new batch.
     */
    private static final class Writes {
        final Map<String, List<Rewrite>> bySource = new LinkedHashMap<>();
        /** The inserts per cohort, counted into the tally once the rewrites committed. */
        final Map<Integer, long[]> insertsByCohort = new java.util.HashMap<>();

        void add(Rewrite r) {
            bySource.computeIfAbsent(r.at().dataSource(), k -> new ArrayList<>())
                    .add(r);
        }

        /**
         * Per table, the rewrites whose inserts go through a {@link StagedCopy}: rows read as COPY text, bound for
         * at least {@value StagedCopy#MIN_TARGETS} schemas of this data source.
         */
        static Map<String, List<Rewrite>> staged(List<Rewrite> rewrites) {
            Map<String, List<Rewrite>> byTable = new LinkedHashMap<>();
            for (Rewrite r : rewrites) {
                if (!r.inserts().isEmpty() && r.inserts().get(0).line() != null) {
                    byTable.computeIfAbsent(r.table().name(), k -> new ArrayList<>())
                            .add(r);
                }
            }
            byTable.values().removeIf(g -> g.size() < StagedCopy.MIN_TARGETS || !StagedCopy.ENABLED);
            return byTable;
        }

        /**
         * Applies the rewrites, one local transaction per data source, the data sources side by side (each on
         * its own connection): a failure rolls back only its own data source's transaction, as when they ran one
         * after another, and a re-run of the batch is idempotent either way.
         */
        void apply(ShardLinks links, ParallelSources parallel, Tally tally) throws SQLException {
            Map<String, long[]> done = parallel.run(
                    new ArrayList<>(bySource.keySet()), ds -> apply(links.get(ds, ShardLinks.WRITE), bySource.get(ds)));
            for (long[] d : done.values()) {
                tally.copied += d[0];
                tally.deleted += d[1];
            }
            insertsByCohort.forEach((k, n) -> tally.copiedByCohort.merge(k, n[0], Long::sum));
        }

        /** One data source's rewrites in one transaction; returns the rows copied and deleted. */
        private static long[] apply(Connection c, List<Rewrite> rewrites) throws SQLException {
            c.setAutoCommit(false);
            try {
                long copied = 0;
                long deleted = 0;
                Map<String, List<Rewrite>> staged = staged(rewrites);
                List<InsertValues.Target> values = new ArrayList<>();
                for (Rewrite r : rewrites) {
                    List<TableRows.Row> inserts = staged.containsKey(r.table().name()) ? List.of() : r.inserts();
                    if (InsertValues.ENABLED
                            && !inserts.isEmpty()
                            && inserts.get(0).line() != null) {
                        // COPY text lines: inserted after every delete of the batch, all targets in one round trip.
                        values.add(new InsertValues.Target(r.at(), r.table(), r.layout(), inserts));
                        inserts = List.of();
                    }
                    TableRows.replace(c, r.at(), r.table(), r.layout(), r.deletes(), inserts);
                    copied += r.inserts().size();
                    deleted += r.deletes().size();
                }
                InsertValues.write(c, values);
                // After every delete of the batch, as each location's own replace does it.
                for (List<Rewrite> group : staged.values()) {
                    List<StagedCopy.Target> targets = new ArrayList<>(group.size());
                    for (Rewrite r : group) {
                        targets.add(new StagedCopy.Target(r.at(), r.inserts()));
                    }
                    StagedCopy.write(c, group.get(0).table(), group.get(0).layout(), targets);
                }
                c.commit();
                return new long[] {copied, deleted};
            } catch (SQLException | RuntimeException ex) {
                StagedCopy.forget(c);
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // The connection is gone; the transaction died with it.
                }
                throw ex;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // Reconnected on next use.
                }
            }
        }
    }

    /**
     * Places each row read: source rows become inserts at their target, stale copies deletes; with a
     * {@code tally} (a digest pass) each row is digested on the side(s) it lives on. A copy pass has none: its
     * digests would go unused, the proof is a separate read of both sides.
     */
    private void settle(Scope scope, TableRule t, Map<ShardLocation, TableRows.Batch> read, Tally tally, Writes writes)
            throws SQLException {
        Map<ShardLocation, List<TableRows.Row>> inserts = new LinkedHashMap<>();
        Map<ShardLocation, List<Object>> deletes = new LinkedHashMap<>();
        TableRows.Batch layout = null;
        RowEncoder enc = new RowEncoder();
        CopyText text = null;
        int[] textScales = null;
        int[] ends = null;
        // The placement function is pure: the rows of one creator and window share one answer per state.
        Map<Placed, Place[]> places = new java.util.HashMap<>();
        for (Map.Entry<ShardLocation, TableRows.Batch> e : read.entrySet()) {
            ShardLocation here = e.getKey();
            TableRows.Batch b = e.getValue();
            if (!b.rows().isEmpty()) {
                layout = b;
            }
            for (TableRows.Row r : b.rows()) {
                Place[] p = places.computeIfAbsent(new Placed(r.key(), r.window()), k -> new Place[] {
                    Placement.locate(scope.from(), t, k.key(), k.window()),
                    Placement.locate(scope.to(), t, k.key(), k.window())
                });
                Place before = p[0];
                if (!scope.covers(t, r, before)) {
                    continue;
                }
                ShardLocation src = location(before, scope, r);
                ShardLocation dst = location(p[1], scope, r);
                RowDigest d = null;
                if (tally != null && (src.equals(here) || dst.equals(here))) {
                    if (r.line() != null && (text == null || textScales != b.scales())) {
                        // Each data source's layout (the same arrays for all its batches) reads its own lines.
                        text = new CopyText(b);
                        textScales = b.scales();
                        ends = new int[b.columns().size()];
                    }
                    if (r.line() != null) {
                        CopyText.fields(r.line(), r.line().length, ends);
                        d = text.digest(r.line(), ends);
                    } else {
                        d = TableRows.digest(b, r, enc);
                    }
                }
                if (src.equals(here)) {
                    if (tally != null) {
                        tally.add(tally.before, t.name(), r.key().creatorId(), d);
                    }
                    if (!dst.equals(here)) {
                        inserts.computeIfAbsent(dst, k -> new ArrayList<>()).add(r);
                        // A counter per cohort, not a boxed sum per row: this runs for every row copied.
                        writes.insertsByCohort.computeIfAbsent(before.cohortId(), x -> new long[1])[0]++;
                    }
                }
                if (dst.equals(here)) {
                    if (tally != null) {
                        tally.add(tally.after, t.name(), r.key().creatorId(), d);
                    }
                    if (!src.equals(here)) {
                        deletes.computeIfAbsent(here, k -> new ArrayList<>()).add(r.primaryKey());
                    }
                }
            }
        }
        if (layout == null) {
            return;
        }
        Set<ShardLocation> targets = new LinkedHashSet<>(deletes.keySet());
        targets.addAll(inserts.keySet());
        for (ShardLocation d : targets) {
            writes.add(
                    new Rewrite(d, t, layout, deletes.getOrDefault(d, List.of()), inserts.getOrDefault(d, List.of())));
        }
    }

    private record Placed(ShardKey key, io.vshard.manifest.window.WindowId window) {}

    private static ShardLocation location(Place p, Scope scope, TableRows.Row r) throws SQLException {
        if (p.writeTarget() == null) {
            throw new SQLException(
                    scope.describe() + ": a row of creator " + r.key().creatorId() + " has no single placement",
                    "XX000");
        }
        return p.writeTarget().location();
    }
}
