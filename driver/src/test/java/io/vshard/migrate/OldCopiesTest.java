package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.config.ConfigReader;
import io.vshard.config.VShardConfig;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain deletes exactly the old copies: after it, every location of the scenario's v1 and v2 (H2 databases
 * in memory) holds exactly the rows whose v2 place it is, checked row by row against what was inserted.
 */
class OldCopiesTest {
    private static final List<String> SOURCES = List.of("db_a", "db_b", "db_c", "db_d");
    private static final String[] REGIONS = {"APAC", "NA", "EMEA", "LATAM"};

    @TempDir
    Path dir;

    @Test
    void drainDeletesTheMisplacedRowsAndNothingElse() throws Exception {
        drainsExactly(scenario("v2"), null);
    }

    /**
     * v2's shards in schemas of their own (as the demo lays them out): every v1 location is outside v2's layout
     * and is emptied whole, and the rows end exactly where v2 puts them.
     */
    @Test
    void drainEmptiesLocationsTheNewLayoutDoesNotUse() throws Exception {
        drainsExactly(ownSchemas(scenario("v2")), null);
    }

    /**
     * A row with no region under a geo-aware layout has no single place, so the drain keeps it; a location
     * outside the new layout holding one is not emptied whole, only its misplaced rows go.
     */
    @Test
    void aRowWithoutASinglePlaceKeepsItsLocationFromBeingEmptied() throws Exception {
        drainsExactly(ownSchemas(scenario("v2")), 424_242L);
    }

    private static Manifest scenario(String name) throws Exception {
        return ManifestCodec.parse(
                name,
                Files.readString(Path.of("..", "conf", "scenario", "manifests").resolve(name + ".yaml")));
    }

    private static Manifest ownSchemas(Manifest m) {
        List<PlacementRule> rules = new java.util.ArrayList<>();
        for (PlacementRule r : m.placement()) {
            rules.add(new PlacementRule(r.firstShard(), r.lastShard(), r.dataSource(), "v2_" + r.schemaPattern()));
        }
        return new Manifest(
                m.version(),
                m.previousVersion(),
                m.shardFunction(),
                rules,
                m.boundaryStart(),
                m.effectiveWindow(),
                m.migration(),
                m.verification(),
                m.rollbackTriggers(),
                null);
    }

    /**
     * Writes the scenario's rows at their v1 and v2 places, drains v1 and checks every location of both versions
     * row by row; with {@code unplaced} also a payment of that id with no region at the first v1 location.
     */
    private void drainsExactly(Manifest v2, Long unplaced) throws Exception {
        Manifest v1 = scenario("v1");
        VShardConfig config = ConfigReader.read(config(v1));
        TableRule payments = config.tables().find("payments");
        TableRule creators = config.tables().find("creators");
        RoutingState after = RoutingState.stable(v2);

        // Every row is written where v1 put it (the old copy) and where v2 puts it (the moved row); where both
        // are one location it is there once. Payment ids encode the creator and a counter.
        Map<ShardLocation, Set<Long>> expectedPayments = new HashMap<>();
        Map<ShardLocation, Set<Long>> expectedCreators = new HashMap<>();
        long oldCopies = 0;
        try (Links links = new Links(config)) {
            links.createTables(v1, v2);
            long payment = 0;
            for (long creator = 1; creator <= 600; creator++) {
                String region = REGIONS[(int) (creator % REGIONS.length)];
                ShardLocation old = place(RoutingState.stable(v1), payments, creator, region);
                ShardLocation now = place(after, payments, creator, region);
                oldCopies += old.equals(now) ? 0 : 1;
                links.insertCreator(old, creator, region);
                expectedCreators.computeIfAbsent(now, l -> new TreeSet<>()).add(creator);
                if (!old.equals(now)) {
                    links.insertCreator(now, creator, region);
                }
                for (int i = 0; i < 3; i++) {
                    payment++;
                    links.insertPayment(old, payment, creator, region);
                    expectedPayments.computeIfAbsent(now, l -> new TreeSet<>()).add(payment);
                    oldCopies += old.equals(now) ? 0 : 1;
                    if (!old.equals(now)) {
                        links.insertPayment(now, payment, creator, region);
                    }
                }
            }
            // A creator with payments in two regions at its v1 place, only one of which v2 keeps there: the
            // drain judges each (creator, region) key on its own, so the other region's rows go. (Only where v2
            // shares places with v1.)
            long[] split = shared(v1, v2) ? splitCreator(v1, v2, payments) : new long[] {1_000, 0};
            ShardLocation old = place(RoutingState.stable(v1), payments, split[0], REGIONS[(int) split[1]]);
            for (int r = 0; r < REGIONS.length; r++) {
                payment++;
                links.insertPayment(old, payment, split[0], REGIONS[r]);
                ShardLocation now = place(after, payments, split[0], REGIONS[r]);
                expectedPayments.computeIfAbsent(now, l -> new TreeSet<>()).add(payment);
                oldCopies += old.equals(now) ? 0 : 1;
                if (!old.equals(now)) {
                    links.insertPayment(now, payment, split[0], REGIONS[r]);
                }
            }

            if (unplaced != null) {
                ShardLocation first = locations(v1).iterator().next();
                links.insertPayment(first, unplaced, 7, null);
                expectedPayments.computeIfAbsent(first, l -> new TreeSet<>()).add(unplaced);
            }

            try (ShardLinks shardLinks = new ShardLinks(config)) {
                OldCopies drain = new OldCopies(shardLinks);
                long deleted = 0;
                for (ShardLocation l : locations(v1)) {
                    deleted += drain.drain(l, payments, after);
                    deleted += drain.drain(l, creators, after);
                }
                assertThat(deleted).isEqualTo(oldCopies);
                // A second drain finds nothing left to delete.
                for (ShardLocation l : locations(v1)) {
                    assertThat(drain.drain(l, payments, after) + drain.drain(l, creators, after))
                            .isZero();
                }
            }

            Set<ShardLocation> all = new LinkedHashSet<>(locations(v1));
            all.addAll(locations(v2));
            for (ShardLocation l : all) {
                assertThat(links.ids(l, "payments", "payment_id"))
                        .as("payments at %s", l)
                        .isEqualTo(expectedPayments.getOrDefault(l, Set.of()));
                assertThat(links.ids(l, "creators", "creator_id"))
                        .as("creators at %s", l)
                        .isEqualTo(expectedCreators.getOrDefault(l, Set.of()));
            }
        }
    }

    private static boolean shared(Manifest v1, Manifest v2) {
        Set<ShardLocation> both = new java.util.HashSet<>(locations(v1));
        both.retainAll(locations(v2));
        return !both.isEmpty();
    }

    /** A creator and a region index whose v2 place is its v1 place, while another region's is not. */
    private static long[] splitCreator(Manifest v1, Manifest v2, TableRule t) {
        for (long c = 1_000; ; c++) {
            ShardLocation old = place(RoutingState.stable(v1), t, c, null);
            for (int r = 0; r < REGIONS.length; r++) {
                if (place(RoutingState.stable(v2), t, c, REGIONS[r]).equals(old)) {
                    return new long[] {c, r};
                }
            }
        }
    }

    private static ShardLocation place(RoutingState s, TableRule t, long creator, String region) {
        return Placement.locate(s, t, ShardKey.of(creator, region), null)
                .writeTarget()
                .location();
    }

    private static Set<ShardLocation> locations(Manifest m) {
        Set<ShardLocation> out = new LinkedHashSet<>();
        for (int s = 0; s < m.shardCount(); s++) {
            out.add(m.locate(s));
        }
        return out;
    }

    private Path config(Manifest v1) throws Exception {
        KeyPair keys = ManifestSigner.generateKeyPair();
        Files.writeString(
                dir.resolve("v1.yaml"),
                ManifestCodec.write(ManifestSigner.sign(
                        new Manifest(
                                v1.version(),
                                v1.previousVersion(),
                                v1.shardFunction(),
                                v1.placement(),
                                null,
                                null,
                                v1.migration(),
                                v1.verification(),
                                v1.rollbackTriggers(),
                                null),
                        keys.getPrivate(),
                        keys.getPublic())));
        Files.writeString(dir.resolve("key.pub"), ManifestSigner.encodePublic(keys.getPublic()));
        String run = UUID.randomUUID().toString().replace("-", "");
        StringBuilder y = new StringBuilder("data_sources:\n");
        for (String s : SOURCES) {
            y.append("  ")
                    .append(s)
                    .append(":\n    url: \"jdbc:h2:mem:")
                    .append(s)
                    .append(run)
                    .append(";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1\"\n    user: sa\n    password: \"\"\n");
        }
        y.append("default_shard:\n  data_source: db_a\n  schema: public\n");
        y.append("manifests:\n  - v1.yaml\ntrusted_keys:\n  - key.pub\ntables:\n");
        y.append("  payments:\n    kind: sharded\n    creator_column: creator_id\n    region_column: region\n");
        y.append("    window_column: window_id\n    primary_key: payment_id\n");
        y.append("  creators:\n    kind: sharded\n    creator_column: creator_id\n    region_column: region\n");
        y.append("    primary_key: creator_id\n");
        Path file = dir.resolve("vshard.yaml");
        Files.writeString(file, y.toString());
        return file;
    }

    /** The test's own connections to the in-memory shard databases. */
    private static final class Links implements AutoCloseable {
        private final Map<String, Connection> open = new HashMap<>();

        Links(VShardConfig config) throws SQLException {
            for (String s : SOURCES) {
                open.put(
                        s,
                        java.sql.DriverManager.getConnection(
                                config.dataSource(s).url(), "sa", ""));
            }
        }

        void createTables(Manifest v1, Manifest v2) throws SQLException {
            Set<ShardLocation> all = new LinkedHashSet<>(locations(v1));
            all.addAll(locations(v2));
            for (ShardLocation l : all) {
                try (Statement st = open.get(l.dataSource()).createStatement()) {
                    st.execute("CREATE SCHEMA IF NOT EXISTS " + l.schema());
                    st.execute("CREATE TABLE IF NOT EXISTS " + l.schema() + ".creators (creator_id BIGINT PRIMARY KEY,"
                            + " region VARCHAR(8) NOT NULL, name VARCHAR(40) NOT NULL)");
                    st.execute("CREATE TABLE IF NOT EXISTS " + l.schema() + ".payments (payment_id BIGINT PRIMARY KEY,"
                            + " creator_id BIGINT NOT NULL, region VARCHAR(8), amount DECIMAL(12,2) NOT NULL,"
                            + " window_id VARCHAR(8) NOT NULL)");
                }
            }
        }

        void insertCreator(ShardLocation l, long creator, String region) throws SQLException {
            try (PreparedStatement ps = open.get(l.dataSource())
                    .prepareStatement("INSERT INTO " + l.schema() + ".creators VALUES (?, ?, ?)")) {
                ps.setLong(1, creator);
                ps.setString(2, region);
                ps.setString(3, "creator " + creator);
                ps.executeUpdate();
            }
        }

        void insertPayment(ShardLocation l, long payment, long creator, String region) throws SQLException {
            try (PreparedStatement ps = open.get(l.dataSource())
                    .prepareStatement("INSERT INTO " + l.schema() + ".payments VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, payment);
                ps.setLong(2, creator);
                ps.setString(3, region);
                ps.setBigDecimal(4, java.math.BigDecimal.valueOf(payment, 2));
                ps.setString(5, "2027_W0" + (payment % 9 + 1));
                ps.executeUpdate();
            }
        }

        Set<Long> ids(ShardLocation l, String table, String column) throws SQLException {
            Set<Long> out = new TreeSet<>();
            try (Statement st = open.get(l.dataSource()).createStatement();
                    ResultSet rs = st.executeQuery("SELECT " + column + " FROM " + l.schema() + "." + table)) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }

        @Override
        public void close() throws SQLException {
            for (Connection c : open.values()) {
                try (Statement st = c.createStatement()) {
                    st.execute("SHUTDOWN");
                }
            }
        }
    }
}
