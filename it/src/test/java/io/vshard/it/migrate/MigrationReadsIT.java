package io.vshard.it.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.control.CohortRecord;
import io.vshard.control.MigrationStore;
import io.vshard.engine.Engine;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import io.vshard.migrate.MigrationControl;
import io.vshard.sql.PlacementFilter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scatter reads in the middle of a migration, on the real PostgreSQL: cohorts stand COPYING, FENCED, NEW and
 * REVERTING with their rows copied to the new layout (so those rows sit at two places), rows changed at the
 * place that serves them after the copy, and ledger rows of the effective window written through vshard.
 * COUNT, SUM, AVG, MIN/MAX, GROUP BY, a co-located join, DISTINCT, {@code *} and ORDER BY + LIMIT/OFFSET
 * through {@code jdbc:vshard:} (autocommit and inside a transaction) must equal the same query on one
 * unsharded database holding every row once.
 */
class MigrationReadsIT {
    private static final List<String> TABLES = List.of("creators", "balances", "payments");
    private static final List<String> QUERIES = List.of(
            "SELECT COUNT(*) FROM payments",
            "SELECT COUNT(*), SUM(amount), MIN(amount), MAX(amount), AVG(amount) FROM payments",
            "SELECT region, COUNT(*), SUM(amount) FROM payments GROUP BY region ORDER BY region",
            "SELECT window_id, COUNT(*), AVG(amount) FROM payments GROUP BY window_id ORDER BY window_id",
            "SELECT payment_id, amount FROM payments ORDER BY amount DESC, payment_id LIMIT 10 OFFSET 5",
            "SELECT creator_id, balance FROM balances ORDER BY balance DESC, creator_id LIMIT 7",
            "SELECT COUNT(*), SUM(balance) FROM balances",
            "SELECT DISTINCT region FROM creators ORDER BY region",
            "SELECT c.region, COUNT(*), SUM(b.balance) FROM creators c JOIN balances b"
                    + " ON c.creator_id = b.creator_id GROUP BY c.region ORDER BY c.region",
            "SELECT * FROM balances ORDER BY updates DESC, creator_id LIMIT 12",
            "SELECT name FROM creators WHERE name LIKE 'creator 1%' ORDER BY name");

    @TempDir
    Path dir;

    MigrationFleet fleet;
    Engine router;
    String reference;

    @BeforeEach
    void start() throws Exception {
        fleet = new MigrationFleet(
                dir,
                new MigrationStrategy(2_000, 200, 500),
                new RollbackTriggers(RollbackTriggers.Action.PAUSE, 0, 0, RollbackTriggers.Action.PAUSE),
                new ScenarioDataset(11, 300, 3_000, WindowId.parse("2027_W01"), 8));
        router = fleet.router();
        fleet.createTables();
        reference = fleet.prefix + "_ref";
        try (Connection c = DriverManager.getConnection(MigrationFleet.PG + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + reference);
        }
    }

    @AfterEach
    void stop() throws Exception {
        fleet.close();
        try (Connection c = DriverManager.getConnection(MigrationFleet.PG + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + reference + " WITH (FORCE)");
        }
    }

    private Connection ref() throws SQLException {
        return DriverManager.getConnection(MigrationFleet.PG + reference, "postgres", "");
    }

    @Test
    void scatterReadsMidMigrationEqualOneUnshardedDatabase() throws Exception {
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement()) {
            st.execute("PUBLISH MANIFEST '" + fleet.v2.toAbsolutePath() + "'");
        }
        fleet.createTables();
        fleet.load();
        copyEverythingToTheReference();
        fleet.moveClockTo(MigrationFleet.AT_BOUNDARY);
        MigrationControl control = router.migrationControl();
        control.start();
        List<CohortRecord> cohorts = control.cohorts(null);
        Map<Integer, CohortState> staged =
                Map.of(0, CohortState.NEW, 1, CohortState.COPYING, 2, CohortState.FENCED, 3, CohortState.REVERTING);
        int copied = 0;
        MigrationStore store = new MigrationStore(router.controlStore());
        for (Map.Entry<Integer, CohortState> e : staged.entrySet()) {
            Cohort k = cohorts.get(e.getKey()).cohort();
            copied += copy(k);
            store.setCohortState(router.routingState().next().version(), k.id(), e.getValue());
        }
        router.refresh();
        assertThat(copied).as("rows copied to their new place (present twice)").isGreaterThan(0);
        changeServedRows(cohorts.get(0).cohort(), cohorts.get(1).cohort());
        writeLedgerRowsOfTheEffectiveWindow(cohorts.get(1).cohort());

        assertThat(physicalPaymentRows())
                .as("copies make a plain read of every place count some rows twice")
                .isGreaterThan(single("SELECT COUNT(*) FROM payments"));
        for (boolean autoCommit : List.of(true, false)) {
            try (Connection v = fleet.vshard(0)) {
                v.setAutoCommit(autoCommit);
                for (String q : QUERIES) {
                    assertThat(rows(v, q))
                            .as(q + (autoCommit ? "" : " (in a transaction)"))
                            .isEqualTo(rowsOnReference(q));
                }
                if (!autoCommit) {
                    v.commit();
                }
            }
        }
        pointReadsKeepWhatThePlacementCheckKeeps(cohorts);
    }

    private static final String POINT =
            "SELECT COUNT(*), SUM(amount) FROM payments WHERE creator_id = ? AND region = ?";
    /**
     * Windows of rows written around vshard: NULL, invalid, padded, week 53 of a long and of a short year, and
     * the written form ({@code dddd_Wdd}) with weeks that are no week.
     */
    private static final List<String> ODD_WINDOWS = Arrays.asList(
            null,
            "2026_W53",
            "2027_W53",
            " 2027_W02",
            "2027_W02 ",
            "2026_W52\t",
            "\n2027_W01",
            "2027_W00",
            "2027_W54",
            "2027_w02",
            "2027-W02",
            "garbage",
            "",
            "9999_W52",
            "0000_W01",
            "0000_W53",
            "2027_W01",
            "2026_W52",
            "2027_W02x",
            "x2027_W02",
            "２027_W02",
            "2020_W53",
            "2021_W53",
            "2027_W99",
            "0000_W00",
            "9999_W53",
            "2027_W1 ",
            "2027_W1x");

    /**
     * Prepared point reads of every creator of the staged cohorts (planned once per text; where a key's two
     * places differ by window alone, each place runs its window condition) return exactly what the per-row
     * placement check keeps of the rows at the key's places, with rows written around vshard at both places
     * carrying NULL, invalid, padded and random window values.
     */
    private void pointReadsKeepWhatThePlacementCheckKeeps(List<CohortRecord> cohorts) throws Exception {
        // The migrator's ledger step, as far as reads see it: rows of the effective window on live under v2.
        new MigrationStore(router.controlStore())
                .setLedger(router.routingState().next().version(), true, false);
        router.refresh();
        RoutingState state = router.routingState();
        assertThat(state.ledgerOnNext()).isTrue();
        TableRule rule = router.config().tables().find("payments");
        WindowId effective = state.next().effectiveWindow();
        for (ShardLocation l : fleet.locations()) {
            try (Connection c = fleet.direct(l.dataSource());
                    Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + l.schema() + ".payments ALTER COLUMN window_id DROP NOT NULL,"
                        + " ALTER COLUMN window_id TYPE VARCHAR(16)");
            }
        }
        List<Object[]> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Cohort k = cohorts.get(i).cohort();
            ShardLocation old = state.active().locate(k.oldShard());
            try (Connection c = fleet.direct(old.dataSource())) {
                for (Object[] cr : select(c, old.schema() + ".creators", k)) {
                    if (inCohort(state, k, ((Number) cr[0]).longValue(), (String) cr[1])) {
                        keys.add(cr);
                    }
                }
            }
        }
        SplittableRandom rnd = new SplittableRandom(20261128);
        long id = 950_000_000L;
        int split = 0;
        for (Object[] key : keys) {
            long creator = ((Number) key[0]).longValue();
            String region = (String) key[1];
            ShardKey sk = ShardKey.of(creator, region);
            List<LogicalShard> at = Placement.locate(state, rule, sk, effective).candidates();
            List<LogicalShard> before =
                    Placement.locate(state, rule, sk, effective.previous()).candidates();
            if (at.size() == 1
                    && before.size() == 1
                    && !at.get(0).location().equals(before.get(0).location())) {
                split++;
            }
            if (rnd.nextInt(3) != 0) {
                continue;
            }
            Set<ShardLocation> places = new LinkedHashSet<>();
            places.add(Placement.shardsOf(state.active(), sk).get(0).location());
            places.add(Placement.shardsOf(state.next(), sk).get(0).location());
            for (ShardLocation l : places) {
                List<Object[]> rows = new ArrayList<>();
                List<String> windows = new ArrayList<>(ODD_WINDOWS);
                for (int j = 0; j < 12; j++) {
                    windows.add(randomWindow(rnd, effective));
                }
                for (String w : windows) {
                    rows.add(new Object[] {
                        id,
                        creator,
                        region,
                        creator,
                        w,
                        id++,
                        BigDecimal.valueOf(rnd.nextLong(1, 1_000_000), 2),
                        "EUR",
                        java.sql.Timestamp.valueOf("2027-03-08 10:00:00")
                    });
                }
                try (Connection c = fleet.direct(l.dataSource())) {
                    insert(c, l.schema() + ".payments", rows);
                }
            }
        }
        assertThat(split)
                .as(
                        "creators whose two places differ by window alone, of %s (ledger on v2: %s, effective %s)",
                        keys.size(), state.ledgerOnNext(), effective)
                .isGreaterThan(10);
        PlacementFilter check = new PlacementFilter(state, rule, 0, 1, 2);
        try (Connection v = fleet.vshard(0);
                PreparedStatement ps = v.prepareStatement(POINT)) {
            for (Object[] key : keys) {
                ps.setLong(1, ((Number) key[0]).longValue());
                ps.setString(2, (String) key[1]);
                List<String> got = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    got.add(rs.getString(1));
                    got.add(String.valueOf(rs.getBigDecimal(2)));
                }
                assertThat(got)
                        .as("creator %s %s", key[0], key[1])
                        .isEqualTo(keptByTheCheck(state, rule, check, ((Number) key[0]).longValue(), (String) key[1]));
            }
        }
    }

    /** COUNT and SUM of the rows at the key's places that the per-row placement check keeps. */
    private List<String> keptByTheCheck(
            RoutingState state, TableRule rule, PlacementFilter check, long creator, String region) throws Exception {
        Set<ShardLocation> places = new LinkedHashSet<>();
        for (LogicalShard s : Placement.locate(state, rule, ShardKey.of(creator, region), null)
                .candidates()) {
            places.add(s.location());
        }
        long count = 0;
        BigDecimal sum = null;
        for (ShardLocation l : places) {
            try (Connection c = fleet.direct(l.dataSource());
                    PreparedStatement ps = c.prepareStatement("SELECT creator_id, region, window_id, amount FROM "
                            + l.schema() + ".payments WHERE creator_id = ? AND region = ?")) {
                ps.setLong(1, creator);
                ps.setString(2, region);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Object[] row = {rs.getObject(1), rs.getObject(2), rs.getObject(3)};
                        if (check.keeps(row, l)) {
                            count++;
                            sum = sum == null ? rs.getBigDecimal(4) : sum.add(rs.getBigDecimal(4));
                        }
                    }
                }
            }
        }
        return List.of(Long.toString(count), String.valueOf(sum));
    }

    /** A window id near {@code effective}, valid or one character off. */
    private static String randomWindow(SplittableRandom rnd, WindowId effective) {
        String w = effective.plusWeeks(rnd.nextInt(-60, 60)).toString();
        if (rnd.nextBoolean()) {
            return w;
        }
        char[] c = w.toCharArray();
        String alphabet = "0123456789_Ww -\t5";
        c[rnd.nextInt(c.length)] = alphabet.charAt(rnd.nextInt(alphabet.length()));
        return new String(c);
    }

    private void copyEverythingToTheReference() throws Exception {
        try (Connection r = ref();
                Statement st = r.createStatement()) {
            st.execute(MigrationFleet.DDL_CREATORS);
            st.execute(MigrationFleet.DDL_BALANCES);
            st.execute(MigrationFleet.DDL_PAYMENTS);
            for (ShardLocation l : fleet.locations()) {
                try (Connection c = fleet.direct(l.dataSource())) {
                    for (String t : TABLES) {
                        insert(r, t, select(c, l.schema() + "." + t, null));
                    }
                }
            }
        }
    }

    /** Copies a cohort's rows to where the new layout puts them, as the migrator's COPYING step does. */
    private int copy(Cohort k) throws Exception {
        RoutingState base = router.routingState();
        RoutingState moved = new RoutingState(
                base.active(), base.next(), base.cohorts().with(k.id(), CohortState.NEW), base.ledgerOnNext());
        ShardLocation old = base.active().locate(k.oldShard());
        int n = 0;
        try (Connection c = fleet.direct(old.dataSource())) {
            for (String t : TABLES) {
                for (Object[] row : select(c, old.schema() + "." + t, k)) {
                    long creator = ((Number) row[t.equals("payments") ? 1 : 0]).longValue();
                    String region = (String) row[t.equals("payments") ? 2 : 1];
                    if (!inCohort(base, k, creator, region)) {
                        continue;
                    }
                    WindowId window = t.equals("payments") ? WindowId.parse((String) row[4]) : null;
                    ShardLocation target = fleet.place(moved, t, creator, region, window);
                    if (!target.equals(old)) {
                        try (Connection to = fleet.direct(target.dataSource())) {
                            insert(to, target.schema() + "." + t, List.<Object[]>of(row));
                        }
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /**
     * After the copy, writes go where the cohort is served: the NEW cohort's new place, the COPYING cohort's
     * old place (the migrator's catch-up would re-copy it later). The reference takes the same change.
     */
    private void changeServedRows(Cohort flipped, Cohort copying) throws Exception {
        RoutingState state = router.routingState();
        for (Cohort k : List.of(flipped, copying)) {
            ShardLocation old = state.active().locate(k.oldShard());
            List<Object[]> creators;
            try (Connection c = fleet.direct(old.dataSource())) {
                creators = select(c, old.schema() + ".creators", k);
            }
            for (Object[] cr : creators) {
                long creator = ((Number) cr[0]).longValue();
                if (!inCohort(state, k, creator, (String) cr[1])) {
                    continue;
                }
                ShardLocation at = fleet.place(state, "balances", creator, (String) cr[1], null);
                String change = "UPDATE %s SET balance = balance + 1000 + creator_id, updates = updates + 7"
                        + " WHERE creator_id = " + creator;
                try (Connection c = fleet.direct(at.dataSource());
                        Statement st = c.createStatement()) {
                    assertThat(st.executeUpdate(String.format(change, at.schema() + ".balances")))
                            .isEqualTo(1);
                }
                try (Connection r = ref();
                        Statement st = r.createStatement()) {
                    st.executeUpdate(String.format(change, "balances"));
                }
            }
        }
    }

    /** Ledger rows of the effective window live under v2 at once, whatever their cohort's state. */
    private void writeLedgerRowsOfTheEffectiveWindow(Cohort copying) throws Exception {
        RoutingState state = router.routingState();
        ShardLocation old = state.active().locate(copying.oldShard());
        List<Object[]> creators;
        try (Connection c = fleet.direct(old.dataSource())) {
            creators = select(c, old.schema() + ".creators", copying);
        }
        String insert = "INSERT INTO payments (payment_id, creator_id, region, tenant_id, window_id, event_id,"
                + " amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'EUR', TIMESTAMP '2027-03-08 10:00:00')";
        for (Connection c : List.of(fleet.vshard(0), ref())) {
            try (c;
                    PreparedStatement ps = c.prepareStatement(insert)) {
                long id = 900_000_000L;
                for (Object[] cr : creators) {
                    long creator = ((Number) cr[0]).longValue();
                    if (!inCohort(state, copying, creator, (String) cr[1])) {
                        continue;
                    }
                    ps.setLong(1, id++);
                    ps.setLong(2, creator);
                    ps.setString(3, (String) cr[1]);
                    ps.setLong(4, creator);
                    ps.setString(5, state.next().effectiveWindow().toString());
                    ps.setLong(6, id);
                    ps.setBigDecimal(7, new BigDecimal("77.70"));
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
            }
        }
    }

    /**
     * Whether a row found at the cohort's old place belongs to it: v1 and v2 share physical schemas, so the
     * old place may also hold copies of other cohorts' rows.
     */
    private static boolean inCohort(RoutingState state, Cohort k, long creator, String region) {
        return Placement.shardsOf(state.active(), ShardKey.of(creator, region))
                        .get(0)
                        .shard()
                == k.oldShard();
    }

    private long physicalPaymentRows() throws Exception {
        long n = 0;
        for (ShardLocation l : fleet.locations()) {
            try (Connection c = fleet.direct(l.dataSource());
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + l.schema() + ".payments")) {
                rs.next();
                n += rs.getLong(1);
            }
        }
        return n;
    }

    private long single(String q) throws SQLException {
        try (Connection r = ref();
                Statement st = r.createStatement();
                ResultSet rs = st.executeQuery(q)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<List<String>> rowsOnReference(String q) throws SQLException {
        try (Connection r = ref()) {
            return rows(r, q);
        }
    }

    /** The rows as text; numbers at six decimals (vshard's AVG divides in DECIMAL64, PostgreSQL further). */
    private static List<List<String>> rows(Connection c, String q) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(q)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    Object v = rs.getObject(i);
                    row.add(
                            v instanceof Number num
                                    ? new BigDecimal(num.toString())
                                            .setScale(6, RoundingMode.HALF_UP)
                                            .toPlainString()
                                    : String.valueOf(v));
                }
                out.add(row);
            }
        }
        return out;
    }

    /** The rows of a table, or of one cohort's creators in it. */
    private static List<Object[]> select(Connection c, String table, Cohort k) throws SQLException {
        String q = "SELECT * FROM " + table + (k == null ? "" : " WHERE creator_id BETWEEN ? AND ?");
        List<Object[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(q)) {
            if (k != null) {
                ps.setLong(1, k.firstCreator());
                ps.setLong(2, k.lastCreator());
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

    private static void insert(Connection c, String table, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String marks = "?" + ", ?".repeat(rows.get(0).length - 1);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (" + marks + ")")) {
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    ps.setObject(i + 1, r[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
