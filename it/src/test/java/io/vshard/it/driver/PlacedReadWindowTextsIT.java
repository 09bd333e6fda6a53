package io.vshard.it.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.Verification;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.SqlRouter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The window conditions a two-place ledger read carries in its texts ({@code PlacedRead}, {@code WindowSplit}), run
 * by the real PostgreSQL: for every window value of a grid (each year kind × weeks 00 to 99 in the written form, and
 * NULL, padded and malformed values), each side's text returns exactly the rows the placement rule keeps there
 * ({@link WindowId#parse}: an invalid or NULL window is kept wherever it is found, a valid one on its side of the
 * effective window), for several effective windows.
 */
class PlacedReadWindowTextsIT {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final TableRules RULES = new TableRules(
            List.of(new TableRule("payments", TableRule.Kind.SHARDED, "creator_id", "region", "window_id", "id")));
    private static final SqlRouter ROUTER = new SqlRouter(RULES, 10_000);
    private static final String READ = "SELECT id FROM payments WHERE creator_id = ? AND region = ?";
    private static final long CREATOR = 7;

    private final String db =
            "vshard_it_wt_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private final List<String> windows = new ArrayList<>();

    @BeforeEach
    void rows() throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        // Years with and without a week 53, the year 0000 (no make_date) and 9999, in the written form.
        for (int year : new int[] {0, 1, 4, 1999, 2004, 2015, 2020, 2021, 2026, 2027, 9998, 9999}) {
            for (int week = 0; week < 100; week++) {
                windows.add(String.format("%04d_W%02d", year, week));
            }
        }
        windows.addAll(java.util.Arrays.asList(
                null,
                "",
                "garbage",
                " 2027_W11",
                "2027_W11 ",
                "2026_W52\t",
                "\n2027_W01",
                "\u00012027_W12",
                " 2026_W53",
                " 2021_W53 ",
                "2027_w11",
                "2027-W11",
                "2027_W11x",
                "x2027_W11",
                "２027_W11",
                "2027_W1",
                "2027_W100",
                "202_W10",
                "20270_W10",
                "2027_X10",
                "2027__W10",
                "2027_W1 ",
                "0000_W53 "));
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (id BIGINT PRIMARY KEY, creator_id BIGINT NOT NULL,"
                    + " region VARCHAR(8) NOT NULL, window_id VARCHAR(16))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO payments VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < windows.size(); i++) {
                    ps.setLong(1, i);
                    ps.setLong(2, CREATOR);
                    ps.setString(3, "EU");
                    ps.setString(4, windows.get(i));
                    ps.addBatch();
                    // another creator's row in every window: the key condition must still hold
                    ps.setLong(1, 100_000 + i);
                    ps.setLong(2, CREATOR + 64);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    @AfterEach
    void drop() throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    @Test
    void eachSideKeepsExactlyTheRowsThePlacementRuleKeepsThere() throws Exception {
        for (String e : List.of("2027_W10", "2027_W01", "2026_W53", "2021_W01", "0000_W02")) {
            WindowId effective = WindowId.parse(e);
            RoutingState state =
                    new RoutingState(manifest(1, 0, 64, null), manifest(2, 1, 128, effective), CohortMap.EMPTY, true);
            RoutePlan.Sharded plan = ROUTER.placedRead(READ).plan(List.of(CREATOR, "EU"), state, at -> true);
            assertThat(plan.merge().placement())
                    .as("the window texts, not the per-row check")
                    .isNull();
            assertThat(plan.statements()).hasSize(2);
            for (ShardStatement s : plan.statements()) {
                boolean older = s.shard().location().dataSource().equals("ds");
                assertThat(ids(s))
                        .as("%s side, effective %s", older ? "older" : "newer", effective)
                        .isEqualTo(kept(older, effective));
            }
        }
    }

    /** The ids the rule keeps on one side. */
    private TreeSet<Long> kept(boolean older, WindowId effective) {
        TreeSet<Long> out = new TreeSet<>();
        for (int i = 0; i < windows.size(); i++) {
            String w = windows.get(i);
            boolean keep;
            try {
                keep = w == null || older == WindowId.parse(w).compareTo(effective) < 0;
            } catch (IllegalArgumentException invalid) {
                keep = true;
            }
            if (keep) {
                out.add((long) i);
            }
        }
        return out;
    }

    /** The ids one side's text returns from the one table (the texts name no schema here). */
    private TreeSet<Long> ids(ShardStatement s) throws Exception {
        TreeSet<Long> out = new TreeSet<>();
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(s.sql())) {
            for (int i = 0; i < s.parameters().size(); i++) {
                ps.setObject(i + 1, s.parameters().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(SERVER + db, "postgres", "");
    }

    private static Manifest manifest(int version, int previous, int shards, WindowId effective) {
        return new Manifest(
                version,
                previous,
                new ModHash(KeyHash.IDENTITY, shards),
                List.of(new PlacementRule(0, shards - 1, version == 1 ? "ds" : "ds2", "shard_%03d")),
                effective == null ? null : Instant.parse("2026-12-28T00:00:00Z"),
                effective,
                MigrationStrategy.DEFAULT,
                Verification.DEFAULT,
                RollbackTriggers.DEFAULT,
                null);
    }
}
