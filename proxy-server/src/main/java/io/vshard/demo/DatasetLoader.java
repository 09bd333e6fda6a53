package io.vshard.demo;

import io.vshard.config.DataSourceConfig;
import io.vshard.engine.Engine;
import io.vshard.jdbc.VShardDriver;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.Payment;
import io.vshard.manifest.scenario.ScenarioDataset;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;

/**
 * Bulk-loads the scenario dataset straight into the shard databases: the placement function names each row's
 * shard under the active version (the same call the router makes), rows are grouped per shard into multi-row
 * INSERTs of {@value #BATCH} rows, each committed on its own, and {@value #LANES} writer threads run them in
 * parallel (a shard always on the same lane) while {@value #PRODUCERS} threads generate the rows (generating and
 * placing a row costs about as much CPU as H2 storing it). One lane per data source would leave one core idle: the scenario
 * puts the hot shards 45-54, 60% of the rows, on one data source. Nothing migrates while the dataset loads (no
 * boundary window is open), so nothing needs the journal; the live traffic that follows goes through
 * {@code jdbc:vshard:}.
 *
 * <p>One commit per batch rather than per table, the index after the rows: measured on H2 2.3 (BENCHMARKS.md,
 * bench/demo-load.sh), one transaction per table costs twice the CPU of a commit per 1,000-row INSERT, and
 * building the {@code creator_id} index after the load halves that again.
 */
final class DatasetLoader {
    private static final int BATCH = 1_000;
    private static final int LANES = 2;
    private static final int PRODUCERS = 2;
    private static final Chunk STOP = new Chunk(null, null, List.of(), 0);

    private final Engine engine;
    private final ScenarioDataset data;
    private final DemoBackend.Kind kind;
    private final int lanes;

    DatasetLoader(Engine engine, ScenarioDataset data, DemoBackend.Kind kind) {
        this.engine = engine;
        this.data = data;
        this.kind = kind;
        // A server does the storing in its own processes: more lanes keep it busy while each waits for an answer.
        this.lanes = kind == DemoBackend.Kind.EMBEDDED ? LANES : 2 * LANES;
    }

    /** Rows for one shard's table, flattened row by row. */
    private record Chunk(ShardLocation at, Table table, List<Object> values, int rows) {}

    /** A demo table's name and columns. */
    private record Table(String name, String columns, int width) {}

    private static final Table CREATORS = new Table("creators", DemoSchema.CREATOR_COLUMNS, DemoSchema.CREATOR_WIDTH);
    private static final Table PAYMENTS = new Table("payments", DemoSchema.PAYMENT_COLUMNS, DemoSchema.PAYMENT_WIDTH);

    /** How the rows went in, for the step's summary line. */
    String describe() {
        String how =
                switch (kind) {
                    case EMBEDDED -> "1,000-row INSERTs";
                    case POSTGRES -> "1,000-row COPY FROM STDIN";
                    case MYSQL -> "1,000-row INSERTs of literal rows";
                };
        return "each row placed by the placement function, " + how + " per shard, committed each, on " + lanes
                + " parallel writers";
    }

    /** Creates the tables on every live shard (the router fans DDL out). */
    void createTables() throws SQLException {
        engine.createShardSchemas();
        ddl(DemoSchema.TABLES);
    }

    /** Creates the indexes on every live shard, once the rows are in. */
    void createIndexes() throws SQLException {
        if (kind != DemoBackend.Kind.EMBEDDED) {
            ddl(DemoSchema.INDEXES);
            return;
        }
        // In-process H2 builds an index on the thread that asks for it: through the router the 64 builds ran one
        // after another on one core (6 s of the load step). Two threads, the shards dealt out in turn (the hot
        // shards 45-54 are neighbours), each with its own connection per data source.
        List<ShardLocation> shards = new ArrayList<>();
        for (LogicalShard s : Placement.allShards(engine.routingState())) {
            shards.add(s.location());
        }
        AtomicReference<SQLException> failure = new AtomicReference<>();
        List<Thread> builders = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++) {
            int first = lane;
            Thread t = new Thread(() -> buildIndexes(shards, first, failure), "vshard-demo-index-" + lane);
            builders.add(started(t));
        }
        joinAll(builders, "building the indexes");
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Builds the creator index of every {@value #LANES}th shard from {@code first} on, until one fails. */
    private void buildIndexes(List<ShardLocation> shards, int first, AtomicReference<SQLException> failure) {
        Map<String, Connection> connections = new HashMap<>();
        try {
            for (int i = first; i < shards.size() && failure.get() == null; i += LANES) {
                ShardLocation at = shards.get(i);
                Connection c = connections.get(at.dataSource());
                if (c == null) {
                    DataSourceConfig ds = engine.config().dataSources().get(at.dataSource());
                    c = DriverManager.getConnection(ds.url(), ds.user(), ds.password());
                    connections.put(at.dataSource(), c);
                }
                try (Statement st = c.createStatement()) {
                    st.execute(DemoSchema.paymentsIndex(at.schema() + ".payments"));
                }
            }
        } catch (SQLException e) {
            failure.compareAndSet(null, e);
        } finally {
            close(connections.values());
        }
    }

    /** Closes a thread's connections once its work is done (or failed): nothing on them is left to keep. */
    private static void close(Iterable<Connection> connections) {
        for (Connection c : connections) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Already gone: its work ended with it.
            }
        }
    }

    private void ddl(String[] statements) throws SQLException {
        try (Connection c = VShardDriver.connect(engine, null);
                var st = c.createStatement()) {
            for (String ddl : statements) {
                st.execute(ddl);
            }
        }
    }

    /** {@code t} started as a daemon: a failed demo must not be kept alive by its loader's threads. */
    private static Thread started(Thread t) {
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for {@code threads} to end; an interrupt stops the wait with a 57014 naming {@code what}. */
    private static void joinAll(List<Thread> threads, String what) throws SQLException {
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while " + what, "57014", e);
        }
    }

    /** Loads creators then payments; {@code progress} hears the rows committed so far. */
    void load(LongConsumer progress) throws SQLException {
        long[] done = {0};
        LongConsumer tally = n -> {
            synchronized (done) {
                done[0] += n;
                progress.accept(done[0]);
            }
        };
        TableRule creators = engine.config().tables().find("creators");
        TableRule payments = engine.config().tables().find("payments");
        RoutingState state = engine.routingState();
        AtomicReference<SQLException> failure = new AtomicReference<>();
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            Writer w = new Writer(i, kind, engine.config().dataSources(), failure, tally);
            writers.add(w);
            w.start();
        }
        List<Thread> producers = new ArrayList<>();
        for (int i = 0; i < PRODUCERS; i++) {
            long cFrom = data.creatorCount() * i / PRODUCERS;
            long cTo = data.creatorCount() * (i + 1) / PRODUCERS;
            long pFrom = data.paymentCount() * i / PRODUCERS;
            long pTo = data.paymentCount() * (i + 1) / PRODUCERS;
            Grouper g = new Grouper(writers, failure);
            Thread t = new Thread(
                    () -> {
                        try {
                            produce(g, state, creators, payments, cFrom, cTo, pFrom, pTo);
                        } catch (SQLException e) {
                            failure.compareAndSet(null, e);
                        } catch (RuntimeException e) {
                            failure.compareAndSet(null, new SQLException("generating the dataset: " + e, "XX000", e));
                        }
                    },
                    "vshard-demo-generate-" + i);
            producers.add(started(t));
        }
        try {
            joinAll(producers, "loading");
        } catch (SQLException e) {
            failure.compareAndSet(null, e);
        } finally {
            for (Writer w : writers) {
                w.offer(STOP);
            }
            for (Writer w : writers) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Generates creators {@code [cFrom, cTo)} and payments {@code [pFrom, pTo)}, placed, into {@code g}. */
    private void produce(
            Grouper g,
            RoutingState state,
            TableRule creators,
            TableRule payments,
            long cFrom,
            long cTo,
            long pFrom,
            long pTo)
            throws SQLException {
        for (long k = cFrom; k < cTo; k++) {
            Creator c = data.creator(k);
            ShardLocation at = Placement.locate(state, creators, ShardKey.of(c.id(), c.region()), null)
                    .writeTarget()
                    .location();
            g.add(at, CREATORS, c.id(), c.region(), "creator-" + c.index());
        }
        g.flush(CREATORS);
        for (long i = pFrom; i < pTo; i++) {
            Payment p = data.payment(i);
            ShardLocation at = Placement.locate(state, payments, ShardKey.of(p.creatorId(), p.region()), p.window())
                    .writeTarget()
                    .location();
            g.add(
                    at,
                    PAYMENTS,
                    p.paymentId(),
                    p.creatorId(),
                    p.region(),
                    p.amount(),
                    p.currency(),
                    Timestamp.from(p.createdAt()),
                    p.window().toString(),
                    p.eventId());
        }
        g.flush(PAYMENTS);
    }

    /** Collects rows per shard and hands each full group to the shard's writer. */
    private static final class Grouper {
        private final List<Writer> writers;
        private final AtomicReference<SQLException> failure;
        private final Map<ShardLocation, List<Object>> open = new HashMap<>();

        Grouper(List<Writer> writers, AtomicReference<SQLException> failure) {
            this.writers = writers;
            this.failure = failure;
        }

        void add(ShardLocation at, Table t, Object... row) throws SQLException {
            List<Object> g = open.computeIfAbsent(at, k -> new ArrayList<>(BATCH * t.width()));
            for (Object o : row) {
                g.add(o);
            }
            if (g.size() == BATCH * t.width()) {
                send(new Chunk(at, t, open.remove(at), BATCH));
            }
        }

        /** Sends the partial groups. */
        void flush(Table t) throws SQLException {
            for (Map.Entry<ShardLocation, List<Object>> e : open.entrySet()) {
                send(new Chunk(e.getKey(), t, e.getValue(), e.getValue().size() / t.width()));
            }
            open.clear();
        }

        private void send(Chunk c) throws SQLException {
            if (failure.get() != null) {
                throw failure.get();
            }
            writers.get(Math.floorMod(c.at().hashCode(), writers.size())).offer(c);
        }
    }

    /** One lane: a connection per data source, a statement per shard and size, a commit per batch. */
    private static final class Writer extends Thread {
        private final DemoBackend.Kind kind;
        private final Map<String, DataSourceConfig> sources;
        private final AtomicReference<SQLException> failure;
        private final LongConsumer tally;
        private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(8);

        Writer(
                int lane,
                DemoBackend.Kind kind,
                Map<String, DataSourceConfig> sources,
                AtomicReference<SQLException> failure,
                LongConsumer tally) {
            super("vshard-demo-load-" + lane);
            setDaemon(true);
            this.kind = kind;
            this.sources = sources;
            this.failure = failure;
            this.tally = tally;
        }

        void offer(Chunk c) {
            try {
                queue.put(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, new SQLException("interrupted while loading", "57014", e));
            }
        }

        @Override
        public void run() {
            Map<String, Connection> connections = new HashMap<>();
            Map<String, PreparedStatement> statements = new HashMap<>();
            String at = "";
            try {
                while (true) {
                    Chunk k = queue.take();
                    if (k == STOP) {
                        break;
                    }
                    if (failure.get() != null) {
                        continue;
                    }
                    at = k.at().dataSource() + "/" + k.at().schema() + "."
                            + k.table().name();
                    Connection c = connections.get(k.at().dataSource());
                    if (c == null) {
                        DataSourceConfig ds = sources.get(k.at().dataSource());
                        c = DriverManager.getConnection(ds.url(), ds.user(), ds.password());
                        c.setAutoCommit(false);
                        connections.put(ds.name(), c);
                    }
                    switch (kind) {
                        case EMBEDDED -> insert(c, statements, at, k);
                        case POSTGRES -> copy(c, k);
                        case MYSQL -> insertLiterals(c, k);
                    }
                    c.commit();
                    tally.accept(k.rows());
                }
            } catch (SQLException e) {
                failure.compareAndSet(
                        null, new SQLException("loading " + at + ": " + e.getMessage(), e.getSQLState(), e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close(connections.values());
            }
        }

        /**
         * H2: a prepared {@value #BATCH}-row INSERT per shard table, parsed once (parsing a statement of 8,000
         * parameters costs about as much as storing its rows: a statement per partial size showed up as a fifth
         * of the writers' profile), and a JDBC batch of one-row INSERTs for a shard's last, partial group.
         */
        private static void insert(Connection c, Map<String, PreparedStatement> statements, String at, Chunk k)
                throws SQLException {
            boolean full = k.rows() == BATCH;
            String key = at + (full ? "/full" : "/one");
            PreparedStatement ps = statements.get(key);
            if (ps == null) {
                ps = c.prepareStatement(DemoSchema.insert(
                        k.at().schema() + "." + k.table().name(),
                        k.table().columns(),
                        k.table().width(),
                        full ? BATCH : 1));
                statements.put(key, ps);
            }
            List<Object> v = k.values();
            int width = k.table().width();
            for (int i = 0; i < v.size(); i++) {
                int p = full ? i + 1 : i % width + 1;
                Object o = v.get(i);
                if (o instanceof Long n) {
                    ps.setLong(p, n);
                } else if (o instanceof String t) {
                    ps.setString(p, t);
                } else if (o instanceof BigDecimal d) {
                    ps.setBigDecimal(p, d);
                } else {
                    ps.setObject(p, o);
                }
                if (!full && p == width) {
                    ps.addBatch();
                }
            }
            if (full) {
                ps.executeUpdate();
            } else {
                ps.executeBatch();
            }
        }

        /** PostgreSQL: COPY FROM STDIN in the text format (no value of the dataset needs escaping). */
        private static void copy(Connection c, Chunk k) throws SQLException {
            StringBuilder sb = new StringBuilder(k.rows() * 96);
            List<Object> v = k.values();
            int width = k.table().width();
            for (int i = 0; i < v.size(); i++) {
                sb.append(v.get(i)).append((i + 1) % width == 0 ? '\n' : '\t');
            }
            try {
                c.unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn(
                                "COPY " + k.at().schema() + "." + k.table().name() + " ("
                                        + k.table().columns() + ") FROM STDIN",
                                new StringReader(sb.toString()));
            } catch (IOException e) {
                throw new SQLException(
                        "COPY into " + k.at().schema() + "." + k.table().name() + ": " + e, "08006", e);
            }
        }

        /** MySQL: one multi-row INSERT with the values written out (numbers, and strings quoted). */
        private static void insertLiterals(Connection c, Chunk k) throws SQLException {
            StringBuilder sb = new StringBuilder(k.rows() * 110)
                    .append("INSERT INTO ")
                    .append(k.at().schema())
                    .append('.')
                    .append(k.table().name())
                    .append(" (")
                    .append(k.table().columns())
                    .append(") VALUES ");
            List<Object> v = k.values();
            int width = k.table().width();
            for (int i = 0; i < v.size(); i++) {
                sb.append(i % width == 0 ? (i == 0 ? "(" : ", (") : ", ");
                Object o = v.get(i);
                if (o instanceof Number) {
                    sb.append(o instanceof BigDecimal d ? d.toPlainString() : o.toString());
                } else {
                    sb.append('\'')
                            .append(o.toString().replace("\\", "\\\\").replace("'", "''"))
                            .append('\'');
                }
                if ((i + 1) % width == 0) {
                    sb.append(')');
                }
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate(sb.toString());
            }
        }
    }
}
