package io.vshard.engine;

import io.vshard.config.Dialect;
import io.vshard.control.RouterView;
import io.vshard.engine.merge.ColumnInfo;
import io.vshard.engine.merge.ListSource;
import io.vshard.engine.merge.MergeSources;
import io.vshard.engine.merge.RowSource;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.window.WindowId;
import io.vshard.sql.Merge;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.TouchedKey;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client's view of the engine: executes route plans with the client's transaction state.
 *
 * <p>Outside a transaction every statement borrows the connections it needs and returns them when done (a
 * read's result set returns them when closed); a single statement writing several data sources runs as an
 * implicit transaction. Inside a transaction a {@link ShardTransaction} pins one connection per data source
 * and commits atomically, with two-phase commit when several data sources were written.
 *
 * <p>Used by one thread at a time, except {@link #cancel()}, which any thread may call.
 */
public final class Session implements AutoCloseable {
    private static final Pattern ISOLATION = Pattern.compile(
            "ISOLATION\\s+LEVEL\\s+(READ\\s+UNCOMMITTED|READ\\s+COMMITTED|REPEATABLE\\s+READ|SERIALIZABLE)",
            Pattern.CASE_INSENSITIVE);
    private final Engine engine;
    private final RunningStatements running = new RunningStatements();
    private final FanOut fanOut;
    private final SessionSettings settings = new SessionSettings();
    private boolean admin = true;
    private SessionSettings beforeTransaction;
    private ShardTransaction tx;
    private boolean autoCommit = true;
    private int isolation = -1;
    private boolean readOnly;
    // Volatile: close() from another thread and a write ending here decide between them who drops the slot.
    private volatile boolean closed;
    private Lease metadataLease;
    // The lease of the last single-shard auto-commit statement, kept for the next one (Lease#park).
    private Lease parked;
    // The epoch the current statement was planned under and when that view was read (reused: a session runs one
    // statement at a time).
    private final long[] planned = new long[2];
    // When the view of the write in flight was read (Engine#lapse), and of the earliest journaled write of the
    // open transaction (txJournaled: there is one).
    private long writeViewNanos = System.nanoTime();
    private long txViewNanos;
    private boolean txJournaled;
    // This session's slot for its write in flight, which holds the router's acknowledgement back (Engine#writeSlot).
    private final long[] writing;
    // The engine's keyed plans of the prepared texts this session ran (null: not keyed), looked up here
    // without the engine cache's synchronization; bounded, emptied when full.
    private final java.util.Map<String, KeyedStatement> keyed = new java.util.HashMap<>();
    private static final int KEYED_KEPT = 256;
    // The same for the plan-once reads of any routing state (null: not one).
    private final java.util.Map<String, PlacedStatement> placed = new java.util.HashMap<>();

    Session(Engine engine) {
        this.engine = engine;
        this.fanOut = new FanOut(engine, running, settings);
        this.writing = engine.writeSlot();
    }

    /** The engine. */
    public Engine engine() {
        return engine;
    }

    /**
     * Plans and executes one statement.
     *
     * @throws SQLException the backend's error with its SQLSTATE, 08006 naming an unreachable shard, or
     *     vshard's own state (0A000, 42601, 40001, ...)
     */
    public Result execute(String sql, List<Object> parameters, StatementOptions options) throws SQLException {
        RoutePlan plan = null;
        if (options.prepared() && !parameters.isEmpty()) {
            KeyedStatement k = keyed(sql);
            ShardStatement s = k == null ? null : k.statement(parameters, planned);
            if (s != null && !k.writes()) {
                engine.singleShardRead();
                try {
                    if (closed) {
                        throw VShardSQLException.of(VShardState.CLOSED, null, "session");
                    }
                    return single(s, false, options);
                } catch (SQLException e) {
                    engine.metrics().failed(e.getSQLState());
                    throw e;
                }
            }
            if (s != null) {
                // What the full plan of a write to one unfenced shard is; registered and admitted as any write.
                plan = new RoutePlan.Sharded(List.of(s), Merge.NONE, true, false);
            }
        }
        if (plan == null) {
            PlacedStatement placed = options.prepared() && !parameters.isEmpty() ? placed(sql) : null;
            plan = placed != null ? plan(placed, parameters) : plan(sql, parameters, planned);
        }
        if (!plan.writes()) {
            return execute(plan, options);
        }
        // A write holds the router's acknowledgement of newer views back until it ends. It registers after
        // planning (reads, most statements, never register) and plans again if the view moved before it was
        // registered: a heartbeat that had not yet seen the registration had not yet seen that view either.
        // The session's own slot, unless a write of this session is already in it (a write run from within one).
        long[] epoch = Engine.writeIdle(writing) ? writing : engine.writeSlot();
        Engine.writeStarts(epoch, planned[0]);
        epoch[1] = planned[1];
        long outer = writeViewNanos;
        try {
            if (engine.view().epoch() != planned[0]) {
                plan = plan(sql, parameters, epoch);
            }
            RoutePlan admitted = admit(sql, parameters, plan, epoch);
            writeViewNanos = epoch[1];
            return execute(admitted, options);
        } finally {
            writeViewNanos = outer;
            Engine.writeEnds(epoch);
            // A session closed from another thread while this write ran left the slot to this thread to drop.
            if (epoch != writing || closed) {
                engine.dropWriteSlot(epoch);
            }
        }
    }

    /**
     * The plan-once form of a prepared text (see {@link KeyedStatement}), or {@code null} when every execution
     * is planned in full.
     */
    private KeyedStatement keyed(String sql) {
        KeyedStatement k = keyed.get(sql);
        if (k == null && !keyed.containsKey(sql)) {
            if (keyed.size() >= KEYED_KEPT) {
                keyed.clear();
            }
            k = engine.keyedStatement(sql);
            keyed.put(sql, k);
        }
        return k;
    }

    /** The plan-once form of a prepared read (see {@link PlacedStatement}), or {@code null}. */
    private PlacedStatement placed(String sql) {
        PlacedStatement p = placed.get(sql);
        if (p == null && !placed.containsKey(sql)) {
            if (placed.size() >= KEYED_KEPT) {
                placed.clear();
            }
            p = engine.placedStatement(sql);
            placed.put(sql, p);
        }
        return p;
    }

    private RoutePlan plan(PlacedStatement placed, List<Object> parameters) throws SQLException {
        try {
            return engine.plan(placed, parameters, planned);
        } catch (SQLException e) {
            engine.metrics().failed(e.getSQLState());
            throw e;
        }
    }

    private RoutePlan plan(String sql, List<Object> parameters, long[] epoch) throws SQLException {
        try {
            return engine.plan(sql, parameters, epoch);
        } catch (SQLException e) {
            engine.metrics().failed(e.getSQLState());
            throw e;
        }
    }

    /**
     * Lets a write through the migration checks: a router whose view is stale (or whose clock is skewed)
     * fails writes while a migration is live; a write to a fenced cohort, or to a ledger window whose rows
     * are moving, waits (bounded, re-planning on a fresh view) and then fails with 40001.
     */
    private RoutePlan admit(String sql, List<Object> parameters, RoutePlan plan, long[] epoch) throws SQLException {
        if (!plan.writes() || !(plan instanceof RoutePlan.Sharded || plan instanceof RoutePlan.GuardedUpdate)) {
            return plan;
        }
        long deadline = System.nanoTime() + engine.options().heldWriteWaitMillis() * 1_000_000L;
        RoutePlan current = plan;
        while (true) {
            RouterView v = engine.view();
            if (v.migration() != null && engine.staleness() != null) {
                engine.refresh();
                String why = engine.staleness();
                if (why != null) {
                    throw VShardSQLException.of(VShardState.STALE_VIEW, null, why);
                }
                current = engine.plan(sql, parameters, epoch);
                continue;
            }
            if (!held(current, v)) {
                return current;
            }
            if (System.nanoTime() > deadline) {
                throw VShardSQLException.of(VShardState.WRITES_HELD, null);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw VShardSQLException.of(VShardState.CANCELLED, e, "interrupted while writes were held");
            }
            engine.refreshIfOlder(25);
            current = engine.plan(sql, parameters, epoch);
        }
    }

    private static boolean held(RoutePlan plan, RouterView v) {
        List<ShardStatement> statements;
        if (plan instanceof RoutePlan.Sharded p) {
            if (p.writesHeld()) {
                return true;
            }
            statements = p.statements();
        } else {
            statements = List.of(((RoutePlan.GuardedUpdate) plan).guarded());
        }
        if (!v.ledgerHeld()) {
            return false;
        }
        WindowId effective = v.routing().next().effectiveWindow();
        for (ShardStatement s : statements) {
            for (TouchedKey k : s.touchedKeys()) {
                if (k.window() != null && k.window().compareTo(effective) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean journaling() {
        RouterView v = engine.view();
        // No clock read (and no Instant) unless a migration's routing is published.
        return v.routing().next() != null && v.journalOn(engine.clock().instant());
    }

    /** Executes a route plan. */
    public Result execute(RoutePlan plan, StatementOptions o) throws SQLException {
        engine.metrics().routed(routeKind(plan));
        try {
            return run(plan, o);
        } catch (SQLException e) {
            engine.metrics().failed(e.getSQLState());
            throw e;
        }
    }

    private static String routeKind(RoutePlan plan) {
        if (plan instanceof RoutePlan.Sharded p) {
            return p.statements().size() == 1 ? "single_shard" : "fan_out";
        }
        if (plan instanceof RoutePlan.DefaultShard) {
            return "default_shard";
        }
        if (plan instanceof RoutePlan.EveryShard) {
            return "every_shard";
        }
        if (plan instanceof RoutePlan.GuardedUpdate) {
            return "guarded_update";
        }
        if (plan instanceof RoutePlan.Transaction) {
            return "transaction";
        }
        return plan instanceof RoutePlan.Session ? "session" : "admin";
    }

    private Result run(RoutePlan plan, StatementOptions o) throws SQLException {
        if (closed) {
            throw VShardSQLException.of(VShardState.CLOSED, null, "session");
        }
        if (plan instanceof RoutePlan.Sharded p) {
            if (p.writes() && p.writesHeld()) {
                throw VShardSQLException.of(VShardState.WRITES_HELD, null);
            }
            if (p.writes()) {
                return write(p.statements(), o);
            }
            if (p.statements().size() == 1) {
                return single(p.statements().get(0), false, o);
            }
            List<ShardStatement> once = oncePerLocation(p.statements());
            if (once.size() == 1 && p.merge().isConcatenation()) {
                return single(once.get(0), false, o);
            }
            return fanOutRead(once, p.merge(), o);
        }
        if (plan instanceof RoutePlan.DefaultShard p) {
            ShardStatement s = new ShardStatement(engine.defaultShard(), p.sql(), p.parameters(), List.of());
            return p.writes() ? write(List.of(s), o) : single(s, false, o);
        }
        if (plan instanceof RoutePlan.EveryShard p) {
            return everyShard(p, o);
        }
        if (plan instanceof RoutePlan.GuardedUpdate p) {
            return guardedUpdate(p, o);
        }
        if (plan instanceof RoutePlan.Transaction p) {
            transaction(p);
            return Result.count(0, null);
        }
        if (plan instanceof RoutePlan.Session p) {
            ShardStatement s = new ShardStatement(engine.defaultShard(), p.sql(), List.of(), List.of());
            return p.changesSession() ? changeSetting(s, o) : single(s, false, o);
        }
        RoutePlan.Admin a = (RoutePlan.Admin) plan;
        if (a.command().changesState() && !admin) {
            throw VShardSQLException.of(
                    VShardState.INSUFFICIENT_PRIVILEGE,
                    null,
                    a.command().kind().name().replace('_', ' '));
        }
        return new Result(AdminCommands.run(engine, a.command()), -1, null, null);
    }

    /**
     * Runs a SET or RESET on the default shard and remembers it, so every backend connection that later serves
     * this session gets it replayed (PostgreSQL data sources only: the others cannot reset a pooled connection).
     */
    private Result changeSetting(ShardStatement s, StatementOptions o) throws SQLException {
        DataSourcePool pool = engine.dataSources().pool(s.shard().location().dataSource());
        if (pool.dialect() == Dialect.MYSQL) {
            return changeMySqlSetting(s, o);
        }
        SessionSettings.Effect effect = SessionSettings.check(s.sql());
        if (pool.dialect() != Dialect.POSTGRESQL) {
            throw VShardSQLException.of(
                    VShardState.NOT_YET_AVAILABLE,
                    null,
                    "changing session settings with SQL on " + pool.dialect() + " (use the JDBC Connection methods)");
        }
        if (effect == SessionSettings.Effect.TRANSACTION_ONLY && autoCommit) {
            return Result.count(0, null);
        }
        if (!autoCommit && beforeTransaction == null) {
            beforeTransaction = settings.copy();
        }
        Result r = single(s, false, o, true);
        settings.remember(s.sql());
        return r;
    }

    /**
     * A MySQL {@code SET}: each assignment runs on the default shard and is remembered, so every pooled
     * connection that serves this session later gets it replayed (and undone when it serves another session).
     * MySQL keeps a SET made inside a rolled-back transaction, so nothing is restored on rollback.
     */
    private Result changeMySqlSetting(ShardStatement s, StatementOptions o) throws SQLException {
        List<String> assignments = MySqlSessionSettings.split(s.sql());
        for (String assignment : assignments) {
            ShardStatement one = new ShardStatement(s.shard(), assignment, List.of(), List.of());
            Result r = single(one, false, o, true);
            ShardRunner.closeQuietly(r.resources());
            settings.rememberNamed(MySqlSessionSettings.name(assignment), assignment);
        }
        return Result.count(0, null);
    }

    /** Whether admin commands that change state are allowed (the proxy clears it for users without the admin role). */
    public void setAdmin(boolean admin) {
        this.admin = admin;
    }

    /**
     * Drops fan-out statements that would read a physical location (data source + schema) a second time:
     * two versions share schemas, and reading one twice would return its rows twice.
     */
    private static List<ShardStatement> oncePerLocation(List<ShardStatement> statements) {
        Set<List<Object>> seen = new java.util.HashSet<>();
        List<ShardStatement> out = new ArrayList<>();
        for (ShardStatement s : statements) {
            ShardLocation l = s.shard().location();
            if (seen.add(List.of(l.dataSource(), l.schema(), s.sql(), s.parameters()))) {
                out.add(s);
            }
        }
        return out;
    }

    private Result single(ShardStatement s, boolean writes, StatementOptions o) throws SQLException {
        return single(s, writes, o, false);
    }

    /** Runs one statement; {@code changesSettings} marks the connection's settings unknown afterwards. */
    private Result single(ShardStatement s, boolean writes, StatementOptions o, boolean changesSettings)
            throws SQLException {
        long started = System.nanoTime();
        boolean failed = true;
        // A statement on a lease of its own is timed here only, for the health window and the shard's
        // latency histogram alike (ShardRunner times the others): one clock read per end, not two.
        boolean timedHere = false;
        try {
            Result r;
            if (writes && autoCommit && !s.touchedKeys().isEmpty() && journaling()) {
                r = journaledWrite(s, o);
            } else {
                timedHere = autoCommit;
                r = runSingle(s, writes, o, changesSettings);
            }
            failed = false;
            return r;
        } finally {
            long elapsed = System.nanoTime() - started;
            engine.health().record(s.shard().location().dataSource(), elapsed, failed, writes);
            if (timedHere && !failed) {
                engine.metrics().shardStatement(s.shard(), elapsed);
            }
        }
    }

    /** An auto-commit write with its journal rows, in one local transaction. */
    private Result journaledWrite(ShardStatement s, StatementOptions o) throws SQLException {
        String ds = s.shard().location().dataSource();
        try (Lease lease = Lease.acquire(engine.dataSources().pool(ds), ShardRunner.describe(s.shard()))) {
            Connection c = lease.connection();
            c.setAutoCommit(false);
            ShardRunner.Outcome out = null;
            try {
                out = ShardRunner.run(lease, s, o, running, settings);
                Result r;
                if (out.rows() != null) {
                    List<ColumnInfo> columns = ColumnInfo.of(out.rows().getMetaData(), -1);
                    List<RowSource> rows = List.of(new ListSource(
                            MergeSources.drain(new io.vshard.engine.merge.ResultSetSource(out.rows(), null))));
                    r = FanOut.merged(rows, Merge.NONE, columns, o);
                } else {
                    ResultSet keys = o.generatedKeys() ? ShardRunner.generatedKeys(List.of(out)) : null;
                    r = Result.count(out.updateCount(), keys);
                }
                journal(lease, s);
                mayCommitJournaled(writeViewNanos);
                c.commit();
                return r;
            } catch (SQLException e) {
                rollbackQuietly(lease);
                throw ShardErrors.translate(e, ShardRunner.describe(s.shard()));
            } catch (RuntimeException e) {
                rollbackQuietly(lease);
                throw e;
            } finally {
                if (out != null) {
                    finish(out);
                }
            }
        }
    }

    private Result runSingle(ShardStatement s, boolean writes, StatementOptions o, boolean changesSettings)
            throws SQLException {
        String ds = s.shard().location().dataSource();
        boolean own = autoCommit;
        Lease lease;
        if (own) {
            DataSourcePool pool = engine.dataSources().pool(ds);
            Lease kept = unpark(pool);
            lease = kept != null ? kept : Lease.acquire(pool, ShardRunner.describe(s.shard()));
        } else {
            if (writes) {
                tx().writes(Set.of(ds));
            }
            lease = tx().pin(s.shard());
        }
        try {
            if (own && !writes && o.fetchSize() > 0 && lease.pool().dialect() == Dialect.POSTGRESQL) {
                // pgjdbc streams with a cursor only inside a transaction.
                lease.connection().setAutoCommit(false);
                lease.commitOnClose();
            }
            // A lease of its own (auto-commit) keeps its prepared statements for the session's next executions.
            ShardRunner.Outcome out = ShardRunner.run(lease, s, o, running, settings, own);
            if (changesSettings) {
                lease.pool().forget(lease.connection());
            }
            if (writes && !own && journaling()) {
                journal(lease, s);
                journaledInTransaction();
            }
            if (out.rows() != null) {
                return new Result(out.rows(), -1, null, new Release(lease, out, own));
            }
            ResultSet keys = o.generatedKeys() ? ShardRunner.generatedKeys(List.of(out)) : null;
            ShardRunner.end(lease, out, running);
            if (own) {
                park(lease);
            }
            return Result.count(out.updateCount(), keys);
        } catch (SQLException | RuntimeException e) {
            if (own) {
                lease.close();
            }
            throw e;
        }
    }

    /**
     * Ends a single-shard result's statement and parks or returns its lease when the result closes. A class
     * rather than a lambda: the statement path's capturing lambda showed in profiles as a method handle call.
     */
    private final class Release implements AutoCloseable {
        private final Lease lease;
        private final ShardRunner.Outcome out;
        private final boolean own;

        Release(Lease lease, ShardRunner.Outcome out, boolean own) {
            this.lease = lease;
            this.out = out;
            this.own = own;
        }

        @Override
        public void close() {
            ShardRunner.end(lease, out, running);
            if (own) {
                park(lease);
            }
        }
    }

    /** The parked lease when it is on {@code pool} and still usable, else {@code null} (it is let go). */
    private Lease unpark(DataSourcePool pool) {
        Lease p = parked;
        if (p == null) {
            return null;
        }
        parked = null;
        if (p.pool() != pool) {
            p.release();
            return null;
        }
        return p.unpark();
    }

    /** Keeps a lease whose statement finished for the next statement, or returns it to the pool. */
    private void park(Lease lease) {
        if (closed || parked != null) {
            lease.close();
        } else if (lease.park()) {
            parked = lease;
        }
    }

    /** Returns the parked lease, if any, to its pool. */
    private void releaseParked() {
        Lease p = parked;
        parked = null;
        if (p != null) {
            p.release();
        }
    }

    private Result fanOutRead(List<ShardStatement> statements, Merge merge, StatementOptions o) throws SQLException {
        if (autoCommit) {
            return fanOut.read(statements, merge, o);
        }
        List<RowSource> sources = new ArrayList<>();
        List<ColumnInfo> columns = null;
        for (ShardStatement s : statements) {
            ShardRunner.Outcome out = ShardRunner.run(tx().pin(s.shard()), s, o, running, settings);
            try {
                if (out.rows() == null) {
                    throw VShardSQLException.of(
                            VShardState.INVALID_USE, null, "a fan-out read returned no rows on " + s.shard());
                }
                if (columns == null) {
                    columns = ColumnInfo.of(out.rows().getMetaData(), -1);
                }
                sources.add(new ListSource(
                        MergeSources.drain(new io.vshard.engine.merge.ResultSetSource(out.rows(), null))));
            } finally {
                finish(out);
            }
        }
        List<ShardLocation> locations = new ArrayList<>(statements.size());
        statements.forEach(s -> locations.add(s.shard().location()));
        return FanOut.merged(sources, locations, merge, columns, o);
    }

    private Result write(List<ShardStatement> statements, StatementOptions o) throws SQLException {
        if (statements.size() == 1) {
            return single(statements.get(0), true, o);
        }
        Set<String> sources = new LinkedHashSet<>();
        for (ShardStatement s : statements) {
            sources.add(s.shard().location().dataSource());
        }
        if (autoCommit && sources.size() > 1) {
            // One statement writing several data sources: an implicit transaction, committed atomically.
            autoCommit = false;
            try {
                Result r = write(statements, o);
                commit();
                return r;
            } catch (SQLException | RuntimeException e) {
                rollback();
                throw e;
            } finally {
                autoCommit = true;
            }
        }
        if (!autoCommit) {
            tx().writes(sources);
            List<ShardRunner.Outcome> outs = new ArrayList<>();
            try {
                boolean journal = journaling();
                for (ShardStatement s : statements) {
                    Lease pinned = tx().pin(s.shard());
                    outs.add(ShardRunner.run(pinned, s, o, running, settings));
                    if (journal) {
                        journal(pinned, s);
                        journaledInTransaction();
                    }
                }
                return combine(outs, o);
            } finally {
                outs.forEach(this::finish);
            }
        }
        DataSourcePool pool = engine.dataSources().pool(sources.iterator().next());
        try (Lease lease = Lease.acquire(pool, "data source " + pool.config().name())) {
            Connection c = lease.connection();
            c.setAutoCommit(false);
            List<ShardRunner.Outcome> outs = new ArrayList<>();
            try {
                boolean journal = journaling();
                for (ShardStatement s : statements) {
                    outs.add(ShardRunner.run(lease, s, o, running, settings));
                    if (journal) {
                        journal(lease, s);
                    }
                }
                Result r = combine(outs, o);
                if (journal) {
                    mayCommitJournaled(writeViewNanos);
                }
                c.commit();
                return r;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(lease);
                throw e;
            } finally {
                outs.forEach(this::finish);
            }
        }
    }

    /**
     * Throws 40001 when journaled writes whose route came from a view read at {@code viewNanos} must not commit: the
     * migrator may already count this router as gone (its view is older than the lease, or its heartbeats lapsed,
     * see {@link Engine#lapse}) and be reading a final delta, so committing could land them behind its back.
     * Called after the journal rows, before the commit.
     */
    private void mayCommitJournaled(long viewNanos) throws SQLException {
        String stale = engine.view().migration() == null ? null : engine.staleness();
        if (stale == null) {
            stale = engine.lapse(viewNanos);
        }
        if (stale != null) {
            throw VShardSQLException.of(VShardState.STALE_VIEW, null, stale);
        }
    }

    /** Notes a journaled write in the open transaction: its commit checks the earliest one's view (commit()). */
    private void journaledInTransaction() {
        if (!txJournaled || writeViewNanos - txViewNanos < 0) {
            txViewNanos = writeViewNanos;
        }
        txJournaled = true;
    }

    /**
     * Records the keys {@code s} wrote in the journal of its shard, on the connection (and in the transaction)
     * that ran it. The journal table is named without a schema, so a connection that ran a schema-qualified
     * statement is pointed at the shard's schema first.
     */
    private void journal(Lease lease, ShardStatement s) throws SQLException {
        if (s.touchedKeys().isEmpty()) {
            return;
        }
        if (s.schemaQualified()) {
            lease.use(s.shard().location(), false, settings.snapshot(s.shard().shard() < 0));
        }
        Journal.record(
                lease.connection(), lease.pool().dialect(), s, engine.clock().instant());
    }

    private Result combine(List<ShardRunner.Outcome> outs, StatementOptions o) throws SQLException {
        if (!outs.isEmpty() && outs.get(0).rows() != null) {
            List<RowSource> rows = new ArrayList<>();
            List<ColumnInfo> columns = ColumnInfo.of(outs.get(0).rows().getMetaData(), -1);
            for (ShardRunner.Outcome out : outs) {
                rows.add(new ListSource(
                        MergeSources.drain(new io.vshard.engine.merge.ResultSetSource(out.rows(), null))));
            }
            return FanOut.merged(rows, Merge.NONE, columns, o);
        }
        long sum = 0;
        for (ShardRunner.Outcome out : outs) {
            sum += Math.max(0, out.updateCount());
        }
        return Result.count(sum, o.generatedKeys() ? ShardRunner.generatedKeys(outs) : null);
    }

    private Result everyShard(RoutePlan.EveryShard p, StatementOptions o) throws SQLException {
        List<ShardStatement> statements = new ArrayList<>();
        for (LogicalShard s : engine.everyShard()) {
            statements.add(new ShardStatement(s, p.sql(), p.parameters(), List.of()));
        }
        if (!p.ddl() || !autoCommit) {
            return write(statements, o);
        }
        // DDL: MySQL commits DDL implicitly, so it cannot be atomic; each shard runs it, and a failure names
        // the shard it happened on (re-running DDL written with IF [NOT] EXISTS completes the rollout).
        for (ShardStatement s : statements) {
            try {
                single(s, true, o);
            } catch (SQLException e) {
                throw new SQLException(
                        ShardRunner.describe(s.shard()) + ": " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
            }
        }
        return Result.count(0, null);
    }

    private Result guardedUpdate(RoutePlan.GuardedUpdate p, StatementOptions o) throws SQLException {
        Result r = write(List.of(p.guarded()), o);
        if (r.updateCount() != 0) {
            return r;
        }
        for (ShardStatement check : p.existenceChecks()) {
            Result c = single(check, false, StatementOptions.DEFAULT);
            try (ResultSet rs = c.rows()) {
                if (rs != null && rs.next()) {
                    throw VShardSQLException.of(
                            VShardState.UNROUTABLE,
                            null,
                            "this UPDATE changes the shard key of a row on " + check.shard()
                                    + ", which would move it between shards; delete and re-insert it instead");
                }
            } finally {
                ShardRunner.closeQuietly(c.resources());
            }
        }
        return r;
    }

    private void transaction(RoutePlan.Transaction p) throws SQLException {
        switch (p.kind()) {
            case BEGIN -> setAutoCommit(false);
            case COMMIT -> {
                commit();
                autoCommit = true;
            }
            case ROLLBACK -> {
                rollback();
                autoCommit = true;
            }
            case CHARACTERISTICS -> {
                Matcher m = ISOLATION.matcher(p.sql());
                if (!m.find()) {
                    throw VShardSQLException.of(
                            VShardState.NOT_YET_AVAILABLE, null, "'" + p.sql() + "' through vshard");
                }
                setTransactionIsolation(
                        switch (m.group(1).toUpperCase(Locale.ROOT).replaceAll("\\s+", " ")) {
                            case "READ UNCOMMITTED" -> Connection.TRANSACTION_READ_UNCOMMITTED;
                            case "READ COMMITTED" -> Connection.TRANSACTION_READ_COMMITTED;
                            case "REPEATABLE READ" -> Connection.TRANSACTION_REPEATABLE_READ;
                            default -> Connection.TRANSACTION_SERIALIZABLE;
                        });
            }
            case SAVEPOINT -> setSavepoint(SavepointName.inStatement(p.sql()));
            case RELEASE_SAVEPOINT -> releaseSavepoint(SavepointName.inStatement(p.sql()));
            case ROLLBACK_TO_SAVEPOINT -> rollbackToSavepoint(SavepointName.inStatement(p.sql()));
        }
    }

    /**
     * Sets a savepoint in the open transaction: on every data source it touched, and on each it touches later.
     *
     * @throws SQLException 25P01 in auto-commit mode
     */
    public void setSavepoint(SavepointName name) throws SQLException {
        inTransaction("SAVEPOINT");
        tx().savepoint(new ShardTransaction.Savepoint(name, settings.copy()));
    }

    /**
     * Rolls the open transaction back to the savepoint, on every data source, with the session's settings as they
     * were when it was set.
     *
     * @throws SQLException 25P01 in auto-commit mode, 3B001 for a name not set
     */
    public void rollbackToSavepoint(SavepointName name) throws SQLException {
        inTransaction("ROLLBACK TO SAVEPOINT");
        settings.restore(tx().rollbackTo(name).settings());
    }

    /**
     * Releases the savepoint (and those set after it) on every data source.
     *
     * @throws SQLException 25P01 in auto-commit mode, 3B001 for a name not set
     */
    public void releaseSavepoint(SavepointName name) throws SQLException {
        inTransaction("RELEASE SAVEPOINT");
        tx().release(name);
    }

    private void inTransaction(String what) throws SQLException {
        if (autoCommit) {
            throw VShardSQLException.of(VShardState.NO_TRANSACTION, null, what);
        }
    }

    private ShardTransaction tx() {
        if (tx == null) {
            releaseParked();
            tx = new ShardTransaction(engine, isolation, readOnly);
        }
        return tx;
    }

    private void finish(ShardRunner.Outcome out) {
        running.remove(out.statement());
        ShardRunner.closeQuietly(out.statement());
    }

    /** The remembered {@code SET} statements to replay on a connection serving the default shard or a logical one. */
    List<String> settingsFor(boolean defaultShard) {
        return settings.snapshot(defaultShard);
    }

    /** Whether statements commit on their own. */
    public boolean autoCommit() {
        return autoCommit;
    }

    /** Turns auto-commit on or off; turning it on commits the open transaction, as JDBC requires. */
    public void setAutoCommit(boolean on) throws SQLException {
        if (on && !autoCommit) {
            commit();
        }
        autoCommit = on;
    }

    /** Commits the open transaction (two-phase when it wrote several data sources). */
    public void commit() throws SQLException {
        if (txJournaled) {
            try {
                mayCommitJournaled(txViewNanos);
            } catch (SQLException e) {
                rollback();
                throw e;
            }
        }
        beforeTransaction = null;
        txJournaled = false;
        ShardTransaction t = tx;
        tx = null;
        if (t != null) {
            t.commit();
        }
    }

    /** Rolls the open transaction back. */
    public void rollback() {
        txJournaled = false;
        if (beforeTransaction != null) {
            settings.restore(beforeTransaction);
            beforeTransaction = null;
        }
        ShardTransaction t = tx;
        tx = null;
        if (t != null) {
            t.rollback();
        }
    }

    private static void rollbackQuietly(Lease lease) {
        try {
            lease.connection().rollback();
        } catch (SQLException e) {
            // A connection that cannot roll back is broken; HikariCP evicts it.
        }
        // PostgreSQL undoes a SET search_path made inside a rolled-back transaction.
        lease.pool().forget(lease.connection());
    }

    /** Sets the isolation level of the following transactions ({@link Connection} constants). */
    public void setTransactionIsolation(int level) {
        this.isolation = level;
    }

    /** The isolation level, or -1 for the backends' default. */
    public int transactionIsolation() {
        return isolation;
    }

    /** Marks following transactions read-only. */
    public void setReadOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }

    /** Whether transactions are read-only. */
    public boolean readOnly() {
        return readOnly;
    }

    /** Cancels every shard statement this session is running; safe from any thread. */
    public void cancel() {
        running.cancelAll();
    }

    /**
     * A connection to the default shard for catalog metadata, held until the session closes. Callers must not
     * close it or change its transaction state.
     */
    public Connection metadataConnection() throws SQLException {
        if (metadataLease == null) {
            LogicalShard def = engine.defaultShard();
            Lease lease =
                    Lease.acquire(engine.dataSources().pool(def.location().dataSource()), ShardRunner.describe(def));
            try {
                lease.use(def.location());
            } catch (SQLException e) {
                lease.close();
                throw ShardErrors.translate(e, ShardRunner.describe(def));
            }
            metadataLease = lease;
        }
        return metadataLease.connection();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (Engine.writeIdle(writing)) {
                // A write still running (closed from another thread) leaves its slot registered until it ends.
                engine.dropWriteSlot(writing);
            }
            releaseParked();
            rollback();
            if (metadataLease != null) {
                metadataLease.close();
            }
        }
    }
}
