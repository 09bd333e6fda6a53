package io.vshard.demo;

import io.vshard.engine.Engine;
import io.vshard.jdbc.VShardDriver;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The live application: writers that add payments and readers that query a creator's payments, all through
 * {@code jdbc:vshard:}, running from the load to the end of the demo. Every write the driver acknowledged is
 * recorded in the ledger, independently of vshard, so the final audit can compare it with what the shards
 * hold. A write refused with a retryable SQLSTATE (40001: a fenced cohort, a stale view) is retried with the
 * same payment id; any other failure is counted and the write is not acknowledged.
 */
final class Traffic implements AutoCloseable {
    private static final String INSERT =
            DemoSchema.insert("payments", DemoSchema.PAYMENT_COLUMNS, DemoSchema.PAYMENT_WIDTH, 1);
    private static final String READ = "SELECT COUNT(*), SUM(amount) FROM payments WHERE creator_id = ?";

    private final Engine engine;
    private final ScenarioDataset data;
    private final ShardMeter meter;
    private final AtomicLong nextPaymentId;
    private final long firstLiveId;
    private final BitSet acknowledged = new BitSet();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final int writesPerSecond;
    private volatile boolean stopped;
    private volatile SQLException lastFailure;

    Traffic(Engine engine, ScenarioDataset data, ShardMeter meter, int writesPerSecond) {
        this.engine = engine;
        this.data = data;
        this.meter = meter;
        this.firstLiveId = data.paymentCount() + 1;
        this.nextPaymentId = new AtomicLong(firstLiveId);
        this.writesPerSecond = writesPerSecond;
    }

    /** Starts {@code writers} writer and {@code readers} reader threads. */
    void start(int writers, int readers) {
        for (int i = 0; i < writers; i++) {
            spawn("vshard-demo-writer-" + i, this::write, INSERT, 0x77 + i, writesPerSecond / Math.max(1, writers));
        }
        for (int i = 0; i < readers; i++) {
            spawn("vshard-demo-reader-" + i, this::read, READ, 0x99 + i, writesPerSecond / 2 / Math.max(1, readers));
        }
    }

    /** Payments acknowledged by live writers so far. */
    synchronized long acknowledgedCount() {
        return acknowledged.cardinality();
    }

    /** Whether the live write of {@code paymentId} was acknowledged. */
    synchronized boolean acknowledged(long paymentId) {
        return acknowledged.get((int) (paymentId - firstLiveId));
    }

    long firstLiveId() {
        return firstLiveId;
    }

    /** The highest payment id handed out. */
    long lastPaymentId() {
        return nextPaymentId.get() - 1;
    }

    long retries() {
        return retries.get();
    }

    long failures() {
        return failures.get();
    }

    SQLException lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        stopped = true;
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private interface Work {
        void once(Connection c, PreparedStatement ps, SplittableRandom r) throws SQLException;
    }

    private void spawn(String name, Work work, String sql, long seed, int perSecond) {
        Thread t = new Thread(() -> loop(work, sql, seed, perSecond), name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void loop(Work work, String sql, long seed, int perSecond) {
        SplittableRandom r = new SplittableRandom(seed);
        long period = 1_000_000_000L / Math.max(1, perSecond);
        long next = System.nanoTime();
        while (!stopped) {
            try (Connection c = VShardDriver.connect(engine, null);
                    PreparedStatement ps = c.prepareStatement(sql)) {
                while (!stopped) {
                    next += period;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    } else if (wait < -1_000_000_000L) {
                        next = System.nanoTime();
                    }
                    work.once(c, ps, r);
                }
            } catch (SQLException e) {
                failures.incrementAndGet();
                lastFailure = e;
                LockSupport.parkNanos(50_000_000L);
            }
        }
    }

    private void write(Connection c, PreparedStatement ps, SplittableRandom r) throws SQLException {
        Creator who = data.creator(r.nextLong(data.creatorCount()));
        long id = nextPaymentId.getAndIncrement();
        for (int attempt = 0; ; attempt++) {
            Instant now = engine.clock().instant();
            WindowId window = WindowId.containing(now);
            ps.setLong(1, id);
            ps.setLong(2, who.id());
            ps.setString(3, who.region());
            ps.setBigDecimal(4, BigDecimal.valueOf(100 + r.nextLong(5_000_000), 2));
            ps.setString(5, "USD");
            ps.setTimestamp(6, Timestamp.from(now));
            ps.setString(7, window.toString());
            ps.setLong(8, id);
            long started = System.nanoTime();
            try {
                ps.executeUpdate();
            } catch (SQLException e) {
                if (retryable(e) && attempt < 200 && !stopped) {
                    retries.incrementAndGet();
                    LockSupport.parkNanos(20_000_000L);
                    continue;
                }
                if (e.getSQLState() != null && e.getSQLState().startsWith("23") && attempt > 0) {
                    // An earlier attempt did commit before its answer was lost: the row is there once.
                    acknowledge(id);
                    return;
                }
                throw e;
            }
            acknowledge(id);
            meter.write(place(payments(), who, window), System.nanoTime() - started);
            return;
        }
    }

    private void read(Connection c, PreparedStatement ps, SplittableRandom r) throws SQLException {
        Creator who = data.creator(r.nextLong(data.creatorCount()));
        ps.setLong(1, who.id());
        long started = System.nanoTime();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getLong(1);
            }
        } catch (SQLException e) {
            if (retryable(e)) {
                retries.incrementAndGet();
                return;
            }
            throw e;
        }
        Place p = Placement.locate(engine.routingState(), creators(), ShardKey.of(who.id(), who.region()), null);
        meter.read(p.candidates().get(0), System.nanoTime() - started);
    }

    private synchronized void acknowledge(long id) {
        acknowledged.set((int) (id - firstLiveId));
    }

    private LogicalShard place(TableRule rule, Creator who, WindowId window) {
        Place p = Placement.locate(engine.routingState(), rule, ShardKey.of(who.id(), who.region()), window);
        return p.writeTarget() != null ? p.writeTarget() : p.candidates().get(0);
    }

    private TableRule payments() {
        return engine.config().tables().find("payments");
    }

    private TableRule creators() {
        return engine.config().tables().find("creators");
    }

    private static boolean retryable(SQLException e) {
        String s = e.getSQLState();
        // Only refusals that guarantee nothing was written; a broken connection could hide a commit.
        return s != null && (s.equals("40001") || s.equals("55V01"));
    }
}
