package io.vshard.demo;

import io.vshard.engine.Engine;
import io.vshard.jdbc.VShardDriver;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.Payment;
import io.vshard.manifest.scenario.ScenarioDataset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Loads the scenario dataset through {@code jdbc:vshard:}: rows are grouped by the shard the placement function
 * gives them, and each full group goes out as one multi-row INSERT, which the router sends to that one shard.
 * Two sender threads keep both cores busy while this thread generates rows.
 */
final class DatasetLoader {
    private static final int BATCH = 400;
    private static final int SENDERS = 2;
    private static final List<Object> STOP = List.of();

    private final Engine engine;
    private final ScenarioDataset data;

    DatasetLoader(Engine engine, ScenarioDataset data) {
        this.engine = engine;
        this.data = data;
    }

    /** Creates the tables on every live shard (the router fans DDL out). */
    void createTables() throws SQLException {
        engine.createShardSchemas();
        try (Connection c = VShardDriver.connect(engine, null);
                var st = c.createStatement()) {
            for (String ddl : DemoSchema.DDL) {
                st.execute(ddl);
            }
        }
    }

    /** Loads creators then payments; {@code progress} hears the rows acknowledged so far. */
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
        run("creators", DemoSchema.CREATOR_COLUMNS, DemoSchema.CREATOR_WIDTH, tally, sink -> {
            for (Creator c : data.creators()) {
                LogicalShard s = Placement.locate(state, creators, ShardKey.of(c.id(), c.region()), null)
                        .writeTarget();
                sink.add(s, c.id(), c.region(), "creator-" + c.index());
            }
        });
        run("payments", DemoSchema.PAYMENT_COLUMNS, DemoSchema.PAYMENT_WIDTH, tally, sink -> {
            for (Payment p : data.payments()) {
                LogicalShard s = Placement.locate(state, payments, ShardKey.of(p.creatorId(), p.region()), p.window())
                        .writeTarget();
                sink.add(
                        s,
                        p.paymentId(),
                        p.creatorId(),
                        p.region(),
                        p.amount(),
                        p.currency(),
                        Timestamp.from(p.createdAt()),
                        p.window().toString(),
                        p.eventId());
            }
        });
    }

    private interface Producer {
        void produce(Sink sink) throws SQLException;
    }

    /** Groups rows by shard and hands full groups to the senders. */
    private static final class Sink {
        final Map<LogicalShard, List<Object>> groups = new HashMap<>();
        final BlockingQueue<List<Object>> queue;
        final int width;
        final AtomicReference<SQLException> failure;

        Sink(BlockingQueue<List<Object>> queue, int width, AtomicReference<SQLException> failure) {
            this.queue = queue;
            this.width = width;
            this.failure = failure;
        }

        void add(LogicalShard s, Object... row) throws SQLException {
            List<Object> g = groups.computeIfAbsent(s, k -> new ArrayList<>(BATCH * width));
            for (Object o : row) {
                g.add(o);
            }
            if (g.size() == BATCH * width) {
                put(groups.remove(s));
            }
        }

        void put(List<Object> group) throws SQLException {
            if (failure.get() != null) {
                throw failure.get();
            }
            try {
                queue.put(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while loading", "57014", e);
            }
        }
    }

    private void run(String table, String columns, int width, LongConsumer tally, Producer producer)
            throws SQLException {
        BlockingQueue<List<Object>> queue = new ArrayBlockingQueue<>(16);
        AtomicReference<SQLException> failure = new AtomicReference<>();
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            Thread t = new Thread(() -> send(table, columns, width, queue, failure, tally), "vshard-demo-load-" + i);
            t.setDaemon(true);
            t.start();
            senders.add(t);
        }
        Sink sink = new Sink(queue, width, failure);
        try {
            producer.produce(sink);
            for (List<Object> rest : sink.groups.values()) {
                sink.put(rest);
            }
        } finally {
            try {
                for (int i = 0; i < SENDERS; i++) {
                    queue.put(STOP);
                }
                for (Thread t : senders) {
                    t.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private void send(
            String table,
            String columns,
            int width,
            BlockingQueue<List<Object>> queue,
            AtomicReference<SQLException> failure,
            LongConsumer tally) {
        try (Connection c = VShardDriver.connect(engine, null)) {
            Map<Integer, PreparedStatement> statements = new HashMap<>();
            while (true) {
                List<Object> group = queue.take();
                if (group == STOP) {
                    break;
                }
                if (failure.get() != null) {
                    continue;
                }
                int rows = group.size() / width;
                PreparedStatement ps = statements.get(rows);
                if (ps == null) {
                    ps = c.prepareStatement(DemoSchema.insert(table, columns, width, rows));
                    statements.put(rows, ps);
                }
                for (int i = 0; i < group.size(); i++) {
                    ps.setObject(i + 1, group.get(i));
                }
                ps.executeUpdate();
                tally.accept(rows);
            }
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
        } catch (SQLException e) {
            failure.compareAndSet(null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
