package io.vshard.engine;

import io.vshard.config.ConfigReader;
import io.vshard.config.VShardConfig;
import io.vshard.control.ControlStore;
import io.vshard.control.MigrationStore;
import io.vshard.control.RouterView;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.function.InvalidShardKeyException;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.RoutingException;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.SqlRouter;
import io.vshard.sql.rewrite.SchemaQualifier;
import java.io.IOException;
import java.net.InetAddress;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router instance: the configuration, the pools of every data source, the control store, the SQL router
 * and the bounded executor fan-outs run on. The driver shares one engine between all connections made with
 * the same configuration file; the proxy owns one. Thread safe; {@link Session}s are not.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    // -Dvshard.read.windowTexts=false plans the per-row placement check for every two-place read (A/B runs).
    private static final boolean WINDOW_TEXTS =
            Boolean.parseBoolean(System.getProperty("vshard.read.windowTexts", "true"));
    private final VShardConfig config;
    private final EngineOptions options;
    private final ShardDataSources dataSources;
    private final ControlStore controlStore;
    private final SqlRouter router;
    private final SchemaQualifier qualifier;
    // Prepared statement texts to their keyed-read plan, or NOT_KEYED; see keyedStatement.
    private final com.github.benmanes.caffeine.cache.Cache<String, Object> keyed;
    private static final Object NOT_KEYED = new Object();
    // Prepared read texts to their plan-once form for any routing state, or NOT_KEYED; see placedStatement.
    private final com.github.benmanes.caffeine.cache.Cache<String, Object> placed;
    private final java.util.concurrent.atomic.LongAdder singleShardReads;
    private final ExecutorService executor;
    private final ScheduledExecutorService heartbeats;
    private final String routerId = UUID.randomUUID().toString();
    private final MigrationStore migrationStore;
    private final ShardHealth health = new ShardHealth();
    private final Object refreshLock = new Object();
    private volatile RouterView view;
    private volatile long viewNanos;
    private volatile boolean schemasCreated;
    private volatile int journalReadyFor;
    // Each session's slot for its write in flight (see writeSlot): registering a write is one volatile store in
    // its own slot, not an entry made and dropped in a map all sessions write.
    private final java.util.Set<long[]> writeSlots = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final long WRITE_IDLE = Long.MAX_VALUE;
    private static final java.lang.invoke.VarHandle SLOT =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);
    private volatile long lastAcked;
    // When the last heartbeat write that reached the control store was sent, and when a gap between two of them
    // was last found longer than the migrator waits for a router (see lapse).
    private volatile long beatSentNanos = System.nanoTime();
    private volatile long lapsedNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** Heartbeat-thread state: when the last full heartbeat ran, what it reported, the epoch last written. */
    private long lastBeatNanos;

    private io.vshard.control.RouterHealth lastHealth = io.vshard.control.RouterHealth.NONE;
    private long lastWrittenAck;
    /** Looks at the view this many times per heartbeat while a cohort moves. */
    private static final int FENCE_TICKS = 4;

    private io.vshard.migrate.MigrationControl migrationControl;

    private Engine(VShardConfig config, EngineOptions options, ControlStore store) {
        this.config = config;
        this.options = options;
        this.controlStore = store;
        this.migrationStore = new MigrationStore(store);
        this.dataSources = new ShardDataSources(config, options.connectTimeoutMillis());
        this.router = new SqlRouter(config.tables(), options.parseCacheEntries());
        this.qualifier = new SchemaQualifier(config.tables(), options.parseCacheEntries());
        // maintenance (eviction) on the calling thread: no hand-off to the common pool on a miss
        this.keyed = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                .maximumSize(options.parseCacheEntries())
                .executor(Runnable::run)
                .build();
        this.placed = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                .maximumSize(options.parseCacheEntries())
                .executor(Runnable::run)
                .build();
        this.singleShardReads = dataSources.metrics().counter("single_shard");
        this.executor = Executors.newFixedThreadPool(options.fanOutThreads(), daemon("vshard-fanout"));
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("vshard-heartbeat"));
        this.lastBeatNanos = System.nanoTime() - options.heartbeat().toNanos();
    }

    /**
     * Starts an engine: verifies the configured manifests, records them in the control store, loads the
     * routing state and starts the heartbeat. No shard connection is opened until a statement needs one.
     *
     * @throws SQLException F0000 for an invalid manifest, 08006 when the control store is unreachable
     */
    public static Engine start(VShardConfig config, EngineOptions options) throws SQLException {
        List<ConfigReader.ManifestFile> manifests;
        try {
            manifests = ConfigReader.readManifests(config);
        } catch (IOException e) {
            throw VShardSQLException.of(VShardState.CONFIG_NOT_FOUND, e, "manifest", e.toString());
        } catch (IllegalArgumentException e) {
            throw VShardSQLException.of(VShardState.CONFIG_INVALID, e, e.getMessage());
        }
        ControlStore store = new ControlStore(config.controlStore());
        store.register(manifests);
        Engine engine = new Engine(config, options, store);
        engine.refresh();
        engine.beat();
        try {
            TwoPhaseRecovery.run(engine);
        } catch (SQLException e) {
            LOG.warn(
                    "vshard router {}: in-doubt transactions stay for the next start: {}",
                    engine.routerId,
                    e.getMessage());
        }
        long period = Math.max(1, options.heartbeat().toMillis());
        long tick = Math.max(1, period / FENCE_TICKS);
        engine.heartbeats.scheduleWithFixedDelay(engine::tick, tick, tick, TimeUnit.MILLISECONDS);
        return engine;
    }

    /**
     * A full heartbeat every period; between them, while a cohort is moving (its fence follows, and the
     * migrator waits for every router's acknowledgement of it), a quick look at the view that writes the
     * acknowledgement as soon as it advances, so a flip pauses writes for a fraction of a heartbeat.
     */
    private void tick() {
        // Sessions idle for a while hand their parked connections back, so HikariCP's housekeeping sees them.
        dataSources.reclaimIdle(Lease.MAX_PARKED_NANOS);
        long now = System.nanoTime();
        if (now - lastBeatNanos
                >= options.heartbeat().toNanos() - options.heartbeat().toNanos() / FENCE_TICKS / 2) {
            lastBeatNanos = now;
            beat();
        } else if (cohortMoving()) {
            quickAck();
        }
    }

    /** Whether any cohort of the view is being copied or fenced, forward or back. */
    private boolean cohortMoving() {
        io.vshard.manifest.placement.CohortMap cohorts = view.routing().cohorts();
        for (io.vshard.manifest.cohort.Cohort k : cohorts.cohorts()) {
            io.vshard.manifest.cohort.CohortState s = cohorts.stateOf(k);
            if (s == io.vshard.manifest.cohort.CohortState.COPYING
                    || s == io.vshard.manifest.cohort.CohortState.REVERTING
                    || s.writesHeld()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refreshes the view and, when the acknowledged epoch advanced, writes it with the health last reported
     * (health windows stay one heartbeat long).
     */
    private void quickAck() {
        try {
            refresh();
            long acked = ackedEpoch();
            if (acked > lastWrittenAck) {
                long sent = System.nanoTime();
                controlStore.heartbeat(routerId, options.routerKind(), hostName(), acked, lastHealth);
                lastWrittenAck = acked;
                beatWritten(sent);
            }
        } catch (SQLException | RuntimeException e) {
            heartbeatFailed("refresh or acknowledgement", e);
        }
    }

    private void beat() {
        try {
            refresh();
            // Statements planned under the previous view hold the acknowledgement back; most end within
            // milliseconds, so wait briefly for them rather than acknowledging a fence one heartbeat later.
            long until = System.nanoTime() + options.heartbeat().toNanos() / 4;
            while (ackedEpoch() < view.epoch() && System.nanoTime() < until) {
                Thread.sleep(2);
            }
            long acked = ackedEpoch();
            lastHealth = health.drain();
            long sent = System.nanoTime();
            controlStore.heartbeat(routerId, options.routerKind(), hostName(), acked, lastHealth);
            lastWrittenAck = acked;
            beatWritten(sent);
        } catch (SQLException | RuntimeException e) {
            heartbeatFailed("refresh or heartbeat", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Notes a heartbeat write sent at {@code sentNanos} that reached the control store just now. Until now the
     * migrator saw at best the previous write's heartbeat; when that is older than the lapse limit it may have
     * counted this router gone and stopped waiting for its acknowledgements, so the writes this router planned
     * until now may not commit (see {@link #lapse}); the view is read again at once for the ones that follow.
     */
    private void beatWritten(long sentNanos) throws SQLException {
        long now = System.nanoTime();
        long gap = now - beatSentNanos;
        beatSentNanos = sentNanos;
        if (gap > lapseLimitNanos()) {
            lapsedNanos = now;
            String lapse = "vshard router {}: no heartbeat reached the control store for {} ms (the migrator counts a"
                    + " router gone after {} ms); writes planned before now fail with 40001 while a migration runs";
            if (migrating(view)) {
                LOG.warn(lapse, routerId, gap / 1_000_000L, options.lease().toMillis());
            } else {
                // No migration published: no write fails for it, so it is no operator's concern (a GC pause while
                // the demo bulk-loads its dataset logged it on every run).
                LOG.debug(lapse, routerId, gap / 1_000_000L, options.lease().toMillis());
            }
            refresh();
        }
    }

    /** How long heartbeats may take to reach the control store before a router's writes stop: a lease, less a margin. */
    private long lapseLimitNanos() {
        return options.lease().toNanos() - options.heartbeat().toNanos() / 2;
    }

    /**
     * Why a migrating write planned on a view read at {@code viewNanos} must not commit now, or {@code null}. The
     * migrator counts a router gone once its heartbeat is a lease old and from then on does not wait for its
     * acknowledgement of a fence: a write still in flight then, or planned on a view read before the router's
     * heartbeats reached the control store again (it may predate that fence), could land on the old place after
     * the final delta. Checked after the write's journal rows and before its commit.
     */
    String lapse(long viewNanos) {
        long since = System.nanoTime() - beatSentNanos;
        if (since > lapseLimitNanos()) {
            return "no heartbeat of this router reached the control store for " + since / 1_000_000L
                    + " ms, and the migrator counts a router gone after "
                    + options.lease().toMillis() + " ms";
        }
        if (lapsedNanos - viewNanos >= 0) {
            return "this router's heartbeats lapsed after the write's route was planned";
        }
        return null;
    }

    /** When the routing view in use was read (a time of {@link System#nanoTime}), read before the view itself. */
    long viewReadNanos() {
        return viewNanos;
    }

    /**
     * Logs a failed heartbeat step; not when the engine is closing, whose interrupt fails the step it cut short
     * (HikariCP's "Interrupted during connection acquisition") and is no fault to report.
     */
    private void heartbeatFailed(String what, Exception e) {
        if (heartbeats.isShutdown()) {
            LOG.debug("vshard router {}: {} cut short by close: {}", routerId, what, e.getMessage());
        } else {
            LOG.warn("vshard router {}: {} failed: {}", routerId, what, e.getMessage());
        }
    }

    /**
     * Re-reads the routing view from the control store now (the heartbeat does this every period; a write
     * waiting on a fenced cohort does it sooner). Before a view that switches the journal on is used, the
     * journal tables exist on every live shard.
     */
    public void refresh() throws SQLException {
        synchronized (refreshLock) {
            long started = System.nanoTime();
            RouterView v = migrationStore.view();
            if (v.routing().next() != null
                    && journalReadyFor != v.routing().next().version()) {
                Journal.create(this, Placement.allShards(v.routing()));
                journalReadyFor = v.routing().next().version();
            }
            view = v;
            viewNanos = started;
        }
    }

    /**
     * The epoch this router acknowledges: its view's, unless a statement planned under an older view is still
     * running. The migrator reads the acknowledgement as "no write can still follow the old routing", so a
     * statement that planned before a fence holds the acknowledgement back until it ends.
     */
    private long ackedEpoch() {
        long acked = view.epoch();
        long previous = lastAcked;
        for (long[] slot : writeSlots) {
            long e = (long) SLOT.getVolatile(slot, 0);
            if (e != WRITE_IDLE) {
                acked = Math.min(acked, e == Long.MIN_VALUE ? previous : e);
            }
        }
        lastAcked = acked;
        return acked;
    }

    /**
     * A slot for one session's writes in flight, idle until {@link #writeStarts}; a session uses it for one write
     * at a time and gives it back with {@link #dropWriteSlot}.
     */
    long[] writeSlot() {
        long[] slot = {WRITE_IDLE, 0};
        writeSlots.add(slot);
        return slot;
    }

    /** Whether no write is registered in {@code slot}. */
    static boolean writeIdle(long[] slot) {
        return (long) SLOT.getVolatile(slot, 0) == WRITE_IDLE;
    }

    /**
     * Registers a write planned under {@code epoch} in its session's slot; a later plan of it writes its epoch to
     * {@code slot[0]}.
     */
    static void writeStarts(long[] slot, long epoch) {
        SLOT.setVolatile(slot, 0, epoch);
    }

    /** Unregisters the write of {@code slot}. */
    static void writeEnds(long[] slot) {
        SLOT.setVolatile(slot, 0, WRITE_IDLE);
    }

    /** Gives back a session's slot. */
    void dropWriteSlot(long[] slot) {
        writeSlots.remove(slot);
    }

    /** Refreshes when the view is older than {@code maxAgeMillis}. */
    void refreshIfOlder(long maxAgeMillis) throws SQLException {
        if (System.nanoTime() - viewNanos > maxAgeMillis * 1_000_000L) {
            refresh();
        }
    }

    /** The routing view: state, epoch and migration. */
    public RouterView view() {
        return view;
    }

    /** The injected clock every window decision reads. */
    public java.time.Clock clock() {
        return options.clock();
    }

    /**
     * Why this router must not write to migrating cohorts now, or {@code null}: its view is older than the
     * lease, or its clock is skewed beyond the lease against the control store's fleet clock.
     */
    String staleness() {
        long lease = options.lease().toMillis();
        long ageMillis = (System.nanoTime() - viewNanos) / 1_000_000L;
        if (ageMillis > lease) {
            return "the view is " + ageMillis + " ms old, the lease is " + lease + " ms";
        }
        long skew = Math.abs(java.time.Duration.between(
                        view.storeTime().plusMillis(ageMillis), options.clock().instant())
                .toMillis());
        if (skew > lease) {
            return "the local clock is " + skew + " ms off the control store's clock";
        }
        return null;
    }

    /**
     * The latency of the statements this router ran that read ({@code write} false) or wrote, in short windows:
     * what a migrator in this process yields to.
     */
    public LiveLatency liveLatency(boolean write) {
        return health.live(write);
    }

    /** Per-shard latency and error counters, reported with each heartbeat. */
    ShardHealth health() {
        return health;
    }

    /**
     * Records a statement a wire proxy ran on {@code dataSource} itself, without the engine (its direct path), so
     * that the manifest's health triggers see the proxy's traffic as they see the engine's.
     *
     * @param dataSource the data source's name in the configuration
     * @param nanos how long the statement took, from sending it to the end of its answer
     * @param failed whether the answer was an error or the connection was lost while it ran
     */
    public void recordDirectStatement(String dataSource, long nanos, boolean failed) {
        // A direct route is a read (see directRoute).
        health.record(dataSource, nanos, failed, false);
    }

    /** A new session (one per JDBC connection or proxy client). */
    public Session openSession() {
        return new Session(this);
    }

    /** The migration commands over this engine (admin SQL uses them; a START runs a migrator here). */
    public synchronized io.vshard.migrate.MigrationControl migrationControl() {
        if (migrationControl == null) {
            migrationControl = new io.vshard.migrate.MigrationControl(this);
        }
        return migrationControl;
    }

    /** The configuration. */
    public VShardConfig config() {
        return config;
    }

    /** The current routing state. */
    public RoutingState routingState() {
        return view.routing();
    }

    /** The control store. */
    public ControlStore controlStore() {
        return controlStore;
    }

    /** The data sources. */
    public ShardDataSources dataSources() {
        return dataSources;
    }

    /** The routing counters (statements by route kind, errors, per-shard latency). */
    public RouteMetrics metrics() {
        return dataSources.metrics();
    }

    /** This router's id in the control store. */
    public String routerId() {
        return routerId;
    }

    /** The options this engine was started with. */
    public EngineOptions options() {
        return options;
    }

    ExecutorService executor() {
        return executor;
    }

    /** The default shard, as a pseudo logical shard numbered -1. */
    LogicalShard defaultShard() {
        return new LogicalShard(0, -1, config.defaultShard());
    }

    /** Every live logical shard and the default shard, each location once. */
    List<LogicalShard> everyShard() {
        Set<ShardLocation> seen = new LinkedHashSet<>();
        List<LogicalShard> out = new ArrayList<>();
        for (LogicalShard s : Placement.allShards(view.routing())) {
            if (seen.add(s.location())) {
                out.add(s);
            }
        }
        if (seen.add(config.defaultShard())) {
            out.add(defaultShard());
        }
        return out;
    }

    /**
     * Creates the schemas (MySQL: databases) of every live logical shard and of the default shard, and the
     * PostgreSQL databases the data-source URLs name.
     *
     * @return the locations, as {@code source/schema}
     */
    public Set<String> createShardSchemas() throws SQLException {
        List<ShardLocation> locations = new ArrayList<>();
        for (LogicalShard s : everyShard()) {
            locations.add(s.location());
        }
        return dataSources.createSchemas(locations);
    }

    /** {@link #createShardSchemas()} the first time it is called on this engine; later calls do nothing. */
    public synchronized void createShardSchemasOnce() throws SQLException {
        if (!schemasCreated) {
            createShardSchemas();
            schemasCreated = true;
        }
    }

    /**
     * Plans a statement through the router.
     *
     * @throws SQLException 42601 or 0A000 from the router, 22023 for an invalid shard key
     */
    public RoutePlan plan(String sql, List<Object> parameters) throws SQLException {
        return plan(sql, parameters, new long[1]);
    }

    /**
     * Plans through the current view and stores that view's epoch in {@code epoch[0]} and, when the array has a
     * second element, when the view was read in {@code epoch[1]} (see {@link #lapse}).
     */
    RoutePlan plan(String sql, List<Object> parameters, long[] epoch) throws SQLException {
        return plan(sql, null, parameters, epoch);
    }

    /** As {@link #plan(String, List, long[])}, for a read planned once per text: the same plan, made cheaper. */
    RoutePlan plan(PlacedStatement placed, List<Object> parameters, long[] epoch) throws SQLException {
        return plan(null, placed, parameters, epoch);
    }

    private RoutePlan plan(String sql, PlacedStatement placed, List<Object> parameters, long[] epoch)
            throws SQLException {
        // viewNanos before view: a refresh between the two reads pairs a newer view with an older time, never
        // the reverse (refresh writes them in the other order), which only makes a lapse check stricter.
        long readAt = viewNanos;
        RouterView v = view;
        epoch[0] = v.epoch();
        if (epoch.length > 1) {
            epoch[1] = readAt;
        }
        try {
            return placed != null
                    ? placed.plan(parameters, v.routing())
                    : qualified(router.plan(sql, parameters, v.routing()));
        } catch (RoutingException e) {
            throw new SQLException(e.getMessage(), e.sqlState(), e);
        } catch (InvalidShardKeyException e) {
            throw VShardSQLException.of(VShardState.INVALID_SHARD_KEY, e, e.getMessage());
        } catch (UnsupportedOperationException e) {
            throw VShardSQLException.of(VShardState.NOT_YET_AVAILABLE, e, "statement routing (" + e.getMessage() + ")");
        }
    }

    /**
     * Shard statements get their tables prefixed with the shard's schema, so a pooled connection serving many
     * logical shards need not be pointed at the schema first (a round trip per statement on PostgreSQL). The
     * journal rows written beside a write name no schema: the session points the connection at it only then.
     */
    private RoutePlan qualified(RoutePlan plan) {
        if (!(plan instanceof RoutePlan.Sharded s)) {
            return plan;
        }
        if (s.statements().size() == 1) {
            ShardStatement st = s.statements().get(0);
            ShardStatement q = qualified(st);
            return q == st ? plan : new RoutePlan.Sharded(List.of(q), s.merge(), s.writes(), s.writesHeld());
        }
        List<ShardStatement> out = new java.util.ArrayList<>(s.statements().size());
        for (ShardStatement st : s.statements()) {
            out.add(qualified(st));
        }
        return new RoutePlan.Sharded(out, s.merge(), s.writes(), s.writesHeld());
    }

    private ShardStatement qualified(ShardStatement st) {
        String q = qualify(st.sql(), st.shard().location());
        return q == null ? st : st.qualified(q);
    }

    /**
     * Whether a read placed in two places by window alone may run each place's window condition in its text
     * ({@link io.vshard.sql.route.PlacedRead}) at {@code at}: PostgreSQL only, unless turned off with
     * {@code -Dvshard.read.windowTexts=false} (then the per-row placement check runs, as on other dialects).
     */
    boolean runsWindowTexts(ShardLocation at) {
        return WINDOW_TEXTS && dataSources.pool(at.dataSource()).dialect() == io.vshard.config.Dialect.POSTGRESQL;
    }

    /** {@code sql} with its tables qualified with {@code at}'s schema, or {@code null} when it needs no edit. */
    String qualify(String sql, ShardLocation at) {
        return qualifier.qualify(sql, dataSources.pool(at.dataSource()).quoted(at.schema()));
    }

    /**
     * The keyed plan of a prepared statement text ({@link KeyedStatement}), or {@code null} when the text is
     * not a read or single-row INSERT one parameter routes; remembered per text either way.
     */
    KeyedStatement keyedStatement(String sql) {
        Object k = keyed.getIfPresent(sql);
        if (k == null) {
            k = NOT_KEYED;
            try {
                io.vshard.sql.route.KeyedRead read = router.keyedRead(sql);
                io.vshard.sql.route.KeyedWrite write = read == null ? router.keyedWrite(sql) : null;
                if (read != null) {
                    k = KeyedStatement.read(this, sql, read);
                } else if (write != null) {
                    k = KeyedStatement.write(this, sql, write);
                }
            } catch (RuntimeException e) {
                // Not keyed: the full plan reports what is wrong with the text.
            }
            keyed.put(sql, k);
        }
        return k == NOT_KEYED ? null : (KeyedStatement) k;
    }

    /**
     * The plan-once form of a prepared read whose key condition names one creator value ({@link PlacedStatement}),
     * or {@code null} for any other text; remembered per text either way.
     */
    PlacedStatement placedStatement(String sql) {
        Object p = placed.getIfPresent(sql);
        if (p == null) {
            p = NOT_KEYED;
            try {
                io.vshard.sql.route.PlacedRead read = router.placedRead(sql);
                if (read != null) {
                    p = new PlacedStatement(this, read);
                }
            } catch (RuntimeException e) {
                // Not placed: the full plan reports what is wrong with the text.
            }
            placed.put(sql, p);
        }
        return p == NOT_KEYED ? null : (PlacedStatement) p;
    }

    /** Counts a single-shard read routed without a full plan (the counter a full plan's route also counts). */
    void singleShardRead() {
        singleShardReads.increment();
    }

    /**
     * The one data source and schema a read runs on when it needs nothing from the engine, or {@code null}
     * when it must go through a {@link Session}: writes, fan-outs, session, transaction and admin statements,
     * anything while a migration is published (a key may live in two places then), non-PostgreSQL data
     * sources, and text the router rejects. Routing is the router's (and so the placement function's), with
     * the same parameter values a {@link Session} would be given.
     *
     * @param session the client's session, whose remembered settings the route carries
     */
    public DirectRoute directRoute(String sql, List<Object> parameters, Session session) {
        RouterView v = view;
        if (migrating(v) || !session.autoCommit()) {
            return null;
        }
        RoutePlan plan;
        try {
            plan = router.plan(sql, parameters, v.routing());
        } catch (RuntimeException e) {
            return null;
        }
        ShardLocation at;
        boolean defaultShard;
        if (plan instanceof RoutePlan.Sharded s && !s.writes() && s.statements().size() == 1) {
            at = s.statements().get(0).shard().location();
            defaultShard = false;
        } else if (plan instanceof RoutePlan.DefaultShard d && !d.writes()) {
            at = config.defaultShard();
            defaultShard = true;
        } else {
            return null;
        }
        DataSourcePool pool = dataSources.pool(at.dataSource());
        if (pool.dialect() != io.vshard.config.Dialect.POSTGRESQL) {
            return null;
        }
        metrics().routed("direct");
        return new DirectRoute(pool.config(), at.schema(), session.settingsFor(defaultShard));
    }

    /**
     * For a prepared statement run many times, its direct route planned once, so each execution costs at most a
     * placement lookup of one parameter ({@link DirectRead}); {@code null} when {@link #directRoute} must plan
     * every execution (writes, fan-outs, reads of sharded tables that no single parameter routes, session and
     * admin statements, text the router rejects). Thread safe.
     *
     * @param sql the statement with JDBC {@code ?} parameters
     */
    public DirectRead directRead(String sql) {
        try {
            var keyed = router.keyedRead(sql);
            if (keyed != null) {
                return DirectRead.keyed(this, keyed);
            }
            if (router.namesRuleTable(sql)) {
                return null;
            }
            // No sharded or broadcast table: the router's plan is the same for any parameter values.
            RoutePlan plan = router.plan(sql, List.of(), view.routing());
            return plan instanceof RoutePlan.DefaultShard d && !d.writes()
                    ? DirectRead.fixed(this, config.defaultShard())
                    : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether a migration is published: a key may then live in two places, so reads must follow the engine's
     * epochs and may not bypass it ({@link #directRoute}, {@link #singleShardRead}).
     */
    static boolean migrating(RouterView v) {
        return v.migration() != null || v.routing().next() != null;
    }

    /**
     * Routes a statement through the router and the placement function and, when it is a read that exactly one
     * physical location answers with no merging, says where; otherwise (writes, fan-outs, admin, session and
     * transaction statements, and anything while a migration is published) returns {@code null}, and the caller
     * runs the statement through a {@link Session}. Counts the route in the metrics when it returns a target. Thread safe.
     *
     * @throws SQLException as {@link #plan(String, List)}
     */
    public ShardTarget singleShardRead(String sql, List<Object> parameters) throws SQLException {
        if (migrating(view)) {
            return null;
        }
        if (!(plan(sql, parameters) instanceof RoutePlan.Sharded p)
                || p.writes()
                || p.statements().isEmpty()) {
            return null;
        }
        ShardStatement first = p.statements().get(0);
        ShardLocation at = first.shard().location();
        for (ShardStatement s : p.statements()) {
            ShardLocation l = s.shard().location();
            if (!l.equals(at) || !s.sql().equals(first.sql())) {
                return null;
            }
        }
        if (p.statements().size() > 1 && !p.merge().isConcatenation()) {
            return null;
        }
        metrics().routed("single_shard");
        return new ShardTarget(config.dataSource(at.dataSource()), at.schema(), first.sql(), first.schemaQualified());
    }

    /**
     * For a prepared read that one parameter routes to one shard (a point select on the shard key), the route
     * planned once, to be resolved per execution from that parameter alone; {@code null} for any other statement,
     * which goes through {@link #singleShardRead} or a {@link Session}. Thread safe.
     */
    public PointRead pointRead(String sql) {
        try {
            var read = router.keyedRead(sql);
            return read == null ? null : new PointRead(this, sql, read);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The {@link ShardTarget} of a read routed to {@code at}, its tables qualified with the schema. */
    ShardTarget target(String sql, ShardLocation at) {
        String q = qualifier.qualify(sql, dataSources.pool(at.dataSource()).quoted(at.schema()));
        return new ShardTarget(config.dataSource(at.dataSource()), at.schema(), q == null ? sql : q, q != null);
    }

    /**
     * The result columns a statement would return, for front ends that must describe a statement when it is
     * prepared, before its parameters are known (the MySQL binary protocol). The statement is routed with
     * placeholder parameters only to pick a shard that has its tables; the shard prepares it without running it.
     *
     * @return the columns, or {@code null} when the statement returns none or cannot be described
     */
    public java.sql.ResultSetMetaData describe(String sql, int parameterCount) {
        for (Object placeholder : new Object[] {0L, null}) {
            List<Object> parameters = java.util.Collections.nCopies(parameterCount, placeholder);
            ShardStatement s;
            try {
                RoutePlan p = plan(sql, parameters);
                if (p instanceof RoutePlan.Sharded sharded
                        && !sharded.statements().isEmpty()) {
                    s = sharded.statements().get(0);
                } else if (p instanceof RoutePlan.DefaultShard d) {
                    s = new ShardStatement(defaultShard(), d.sql(), List.of(), List.of());
                } else {
                    return null;
                }
            } catch (SQLException | RuntimeException e) {
                continue;
            }
            try (Lease lease =
                    Lease.acquire(dataSources.pool(s.shard().location().dataSource()), "describe")) {
                if (!s.schemaQualified()) {
                    lease.use(s.shard().location());
                }
                try (java.sql.PreparedStatement ps = lease.connection().prepareStatement(s.sql())) {
                    java.sql.ResultSetMetaData md = ps.getMetaData();
                    return md == null || md.getColumnCount() == 0
                            ? null
                            : new io.vshard.engine.merge.RowMetaData(io.vshard.engine.merge.ColumnInfo.of(md, -1));
                }
            } catch (SQLException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    /** Splits text holding several statements. */
    public List<String> split(String sql) throws SQLException {
        try {
            return router.split(sql);
        } catch (UnsupportedOperationException e) {
            return List.of(sql);
        } catch (RoutingException e) {
            // Text the lexer cannot split (an unterminated literal) is the client's syntax error, not a crash.
            throw new SQLException(e.getMessage(), e.sqlState(), e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (migrationControl != null) {
                migrationControl.stopMigrator();
            }
        }
        heartbeats.shutdownNow();
        executor.shutdownNow();
        try {
            controlStore.leave(routerId);
        } catch (SQLException e) {
            LOG.warn("vshard router {}: could not remove its heartbeat: {}", routerId, e.getMessage());
        }
        controlStore.close();
        dataSources.close();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
