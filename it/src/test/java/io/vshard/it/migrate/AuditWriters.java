package io.vshard.it.migrate;

import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.window.WindowId;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The audit's application: writers inserting payments with idempotency keys and updating balances through
 * jdbc:vshard:, retrying retryable errors (at least once), and readers running per-creator queries. The
 * writers keep an independent ledger of what was acknowledged and what was attempted.
 */
final class AuditWriters {
    /** An acknowledged or attempted payment. */
    record Written(long paymentId, long creatorId, String region, String window, BigDecimal amount) {}

    final MigrationFleet fleet;
    private final int routers;
    final Map<Long, Written> acked = new ConcurrentHashMap<>();
    final Map<Long, Written> attempted = new ConcurrentHashMap<>();
    final Map<Long, BigDecimal> balance = new ConcurrentHashMap<>();
    final Map<Long, Long> balanceUpdates = new ConcurrentHashMap<>();
    final Set<Long> uncertainBalances = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    /** The failed attempts of each payment that needed more than one, for the audit's report of a loss. */
    final Map<Long, List<String>> failedAttempts = new ConcurrentHashMap<>();

    final AtomicLong writesDuringMigration = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicBoolean migrating = new AtomicBoolean();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /** The application on the fleet's routers started so far (routers started later carry none of its statements). */
    AuditWriters(MigrationFleet fleet) {
        this.fleet = fleet;
        this.routers = fleet.engines.size();
    }

    void start(int writers, int readers) {
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(daemon("writer-" + w, () -> write(id)));
        }
        for (int r = 0; r < readers; r++) {
            int id = r;
            threads.add(daemon("reader-" + r, () -> read(id)));
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    private void count(String what) {
        errors.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private static boolean retryable(SQLException e) {
        String s = e.getSQLState();
        return s == null || s.startsWith("40") || s.startsWith("08") || s.startsWith("55") || s.startsWith("57");
    }

    private void write(int writer) {
        SplittableRandom rnd = new SplittableRandom(writer * 7919L);
        long seq = 0;
        Connection c = null;
        while (!stop.get()) {
            try {
                if (c == null) {
                    c = fleet.vshard(writer % routers);
                }
                Creator creator = fleet.dataset.creator(rnd.nextLong(fleet.dataset.creatorCount()));
                if (rnd.nextInt(10) < 8) {
                    WindowId now = WindowId.containing(fleet.clock.instant());
                    WindowId w = rnd.nextInt(4) == 0 ? now.previous() : now;
                    long id = (writer + 1L) * 1_000_000_000L + ++seq;
                    Written p = new Written(
                            id,
                            creator.id(),
                            creator.region(),
                            w.toString(),
                            BigDecimal.valueOf(rnd.nextLong(1, 1_000_000), 2));
                    insert(c, p);
                } else {
                    update(c, creator, BigDecimal.valueOf(rnd.nextLong(-5_000, 5_000), 2));
                }
            } catch (SQLException e) {
                count("writer " + e.getSQLState());
                c = null;
            }
        }
    }

    private void insert(Connection c, Written p) throws SQLException {
        attempted.put(p.paymentId(), p);
        for (int attempt = 0; ; attempt++) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO payments (payment_id, creator_id, region,"
                    + " tenant_id, window_id, event_id, amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
                    + " 'USD', ?)")) {
                ps.setLong(1, p.paymentId());
                ps.setLong(2, p.creatorId());
                ps.setString(3, p.region());
                ps.setLong(4, p.creatorId());
                ps.setString(5, p.window());
                ps.setLong(6, p.paymentId());
                ps.setBigDecimal(7, p.amount());
                ps.setTimestamp(8, MigrationFleet.ts(fleet.clock.instant()));
                ps.executeUpdate();
                ack(p);
                return;
            } catch (SQLException e) {
                failedAttempts
                        .computeIfAbsent(p.paymentId(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(fleet.clock.instant() + " " + e.getSQLState() + " "
                                + e.getMessage().split("\n")[0]);
                if ("23505".equals(e.getSQLState()) && attempt > 0) {
                    // The earlier attempt committed but its answer was lost: the idempotency key says so.
                    ack(p);
                    return;
                }
                if (!retryable(e) || attempt >= 200) {
                    count("insert " + e.getSQLState() + " " + e.getMessage().split("\n")[0]);
                    return;
                }
                retries.incrementAndGet();
                sleep(attempt < 10 ? 5 : 50);
            }
        }
    }

    private void ack(Written p) {
        acked.put(p.paymentId(), p);
        writes.incrementAndGet();
        if (migrating.get()) {
            writesDuringMigration.incrementAndGet();
        }
    }

    private void update(Connection c, Creator creator, BigDecimal delta) throws SQLException {
        if (uncertainBalances.contains(creator.id())) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE balances SET balance = balance + ?,"
                    + " updates = updates + 1 WHERE creator_id = ? AND region = ?")) {
                ps.setBigDecimal(1, delta);
                ps.setLong(2, creator.id());
                ps.setString(3, creator.region());
                int n = ps.executeUpdate();
                if (n != 1) {
                    count("update changed " + n + " rows");
                    return;
                }
                balance.merge(creator.id(), delta, BigDecimal::add);
                balanceUpdates.merge(creator.id(), 1L, Long::sum);
                writes.incrementAndGet();
                if (migrating.get()) {
                    writesDuringMigration.incrementAndGet();
                }
                return;
            } catch (SQLException e) {
                String s = e.getSQLState() == null ? "" : e.getSQLState();
                if (s.startsWith("08") || s.startsWith("57") || attempt >= 200 || !retryable(e)) {
                    // The update may or may not have committed: this creator's balance is no longer checkable.
                    uncertainBalances.add(creator.id());
                    count("update " + s);
                    return;
                }
                retries.incrementAndGet();
                sleep(attempt < 10 ? 5 : 50);
            }
        }
    }

    private void read(int reader) {
        SplittableRandom rnd = new SplittableRandom(~reader);
        Connection c = null;
        while (!stop.get()) {
            try {
                if (c == null) {
                    c = fleet.vshard(reader % routers);
                }
                Creator creator = fleet.dataset.creator(rnd.nextLong(fleet.dataset.creatorCount()));
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT COUNT(*), SUM(amount) FROM payments" + " WHERE creator_id = ? AND region = ?")) {
                    ps.setLong(1, creator.id());
                    ps.setString(2, creator.region());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                }
                reads.incrementAndGet();
                sleep(2);
            } catch (SQLException e) {
                count("reader " + e.getSQLState());
                c = null;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
