package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.digest.RowDigest;
import io.vshard.manifest.digest.RowEncoder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against the real PostgreSQL (127.0.0.1:5432): rows read as COPY text digest exactly as the same rows decoded
 * by JDBC, for every column type the text path takes and awkward values of each, and lines written back with
 * COPY land as the same rows.
 */
class CopyOutIT {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final TableRule RULE =
            new TableRule("items", TableRule.Kind.SHARDED, "creator_id", "region", "window_id", "item_id");
    private static final String COLUMNS = "(item_id BIGINT PRIMARY KEY, creator_id BIGINT NOT NULL, region VARCHAR(8),"
            + " window_id VARCHAR(8), small SMALLINT, n INT, amount NUMERIC(14,2), plain NUMERIC(30,4), flag BOOLEAN,"
            + " f4 REAL, f8 DOUBLE PRECISION, day DATE, at TIMESTAMP, at3 TIMESTAMP(3), blob BYTEA, code CHAR(3),"
            + " note TEXT, id UUID, doc JSON, docb JSONB)";
    private static final String[] ROWS = {
        "(1, 7, 'NA', '2027_W01', 1, 2, 12.5, 0.0001, true, 0.1, 0.1, '2027-01-04', '2027-01-04 10:15:30.123456',"
                + " '2027-01-04 10:15:30.5', '\\x00ff0a09', 'USD', E'tab\\there\\nnew line \\\\ back é 日本',"
                + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2]}', '{\"b\": \"x\\ty\", \"a\": 1}')",
        "(2, 7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                + " NULL)",
        "(3, 8, 'EMEA', '2027_W02', -32768, -2147483648, -999999999999.99, 12345678901234567890123456.1234, false,"
                + " 'NaN', '-Infinity', '0001-01-01', '1970-01-01 00:00:00', '2027-12-31 23:59:59.999', '\\x',"
                + " 'ab', '\\N', '00000000-0000-0000-0000-000000000000', '\"\"', '[]')",
        "(9223372036854775807, 8, 'APAC', '2027_W03', 32767, 2147483647, 0, -0.5, true, '-0', 1e300, '9999-12-31',"
                + " '2000-02-29 12:00:00.000001', NULL, '\\x5c', '''x;', '', NULL, 'null', '{\"q\": \"it''s\"}')"
    };

    private String db;
    private Connection c;

    @BeforeEach
    void create() throws Exception {
        db = "vscopy" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        c = DriverManager.getConnection(SERVER + db, "postgres", "");
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA a");
            st.execute("CREATE SCHEMA b");
            st.execute("CREATE TABLE a.items " + COLUMNS);
            st.execute("CREATE TABLE b.items " + COLUMNS);
            st.execute("INSERT INTO a.items VALUES " + String.join(", ", ROWS));
        }
    }

    @AfterEach
    void drop() throws Exception {
        if (c != null) {
            c.close();
        }
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    private static List<RowDigest> typedDigests(TableRows.Batch b) {
        List<RowDigest> out = new ArrayList<>();
        for (TableRows.Row r : b.rows()) {
            out.add(TableRows.digest(b, r, new RowEncoder()));
        }
        return out;
    }

    private static List<RowDigest> textDigests(TableRows.Batch b) throws Exception {
        CopyText text = new CopyText(b);
        List<RowDigest> out = new ArrayList<>();
        int[] ends = new int[b.columns().size()];
        for (TableRows.Row r : b.rows()) {
            CopyText.fields(r.line(), r.line().length, ends);
            out.add(text.digest(r.line(), ends));
        }
        return out;
    }

    @Test
    void textDigestsEqualJdbcDigestsAndLinesCopyBackAsTheSameRows() throws Exception {
        ShardLocation a = new ShardLocation("ds", "a");
        ShardLocation b = new ShardLocation("ds", "b");
        TableRows.Batch layout = CopyOut.layout(c, a, RULE);
        assertThat(layout)
                .as("every column type of the test table takes the text path")
                .isNotNull();
        Map<ShardLocation, List<Long>> ids = Map.of(a, List.of(7L, 8L));
        TableRows.Batch typed = TableRows.read(c, ids, RULE).get(a);
        TableRows.Batch text = CopyOut.read(c, ids, RULE, layout).get(a);
        assertThat(typed.rows()).hasSize(ROWS.length);
        assertThat(text.rows()).hasSize(ROWS.length);
        assertThat(textDigests(text)).containsExactlyInAnyOrderElementsOf(typedDigests(typed));
        for (TableRows.Row r : text.rows()) {
            assertThat(typed.rows().stream()
                            .anyMatch(t -> t.primaryKey().equals(r.primaryKey())
                                    && t.key().equals(r.key())
                                    && java.util.Objects.equals(t.window(), r.window())))
                    .as("row %s keeps its key, region and window", r.primaryKey())
                    .isTrue();
        }

        c.setAutoCommit(false);
        assertThat(CopyIn.write(c, b, RULE, layout, text.rows())).isEqualTo(ROWS.length);
        c.commit();
        c.setAutoCommit(true);
        TableRows.Batch copied =
                TableRows.read(c, Map.of(b, List.of(7L, 8L)), RULE).get(b);
        assertThat(typedDigests(copied)).containsExactlyInAnyOrderElementsOf(typedDigests(typed));
    }

    @Test
    void linesInsertedAsValuesLandAsTheSameRowsInTheirOwnTargetsOnly() throws Exception {
        ShardLocation a = new ShardLocation("ds", "a");
        ShardLocation b = new ShardLocation("ds", "b");
        ShardLocation t3 = new ShardLocation("ds", "t3");
        ShardLocation t4 = new ShardLocation("ds", "t4");
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA t3");
            st.execute("CREATE SCHEMA t4");
            st.execute("CREATE TABLE t3.items " + COLUMNS);
            st.execute("CREATE TABLE t4.items " + COLUMNS);
        }
        TableRows.Batch layout = CopyOut.layout(c, a, RULE);
        List<TableRows.Row> rows =
                CopyOut.read(c, Map.of(a, List.of(7L, 8L)), RULE, layout).get(a).rows();
        TableRows.Batch typed =
                TableRows.read(c, Map.of(a, List.of(7L, 8L)), RULE).get(a);
        // Rows 1-3 to b, none to t3, row 4 to t4: an empty target sends nothing and the counts still check.
        c.setAutoCommit(false);
        long written = InsertValues.write(
                c,
                List.of(
                        new InsertValues.Target(b, RULE, layout, rows.subList(0, 3)),
                        new InsertValues.Target(t3, RULE, layout, List.of()),
                        new InsertValues.Target(t4, RULE, layout, rows.subList(3, 4))));
        c.commit();
        c.setAutoCommit(true);
        assertThat(written).isEqualTo(ROWS.length);
        List<RowDigest> landed = new ArrayList<>();
        for (ShardLocation t : List.of(b, t3, t4)) {
            landed.addAll(typedDigests(
                    TableRows.read(c, Map.of(t, List.of(7L, 8L)), RULE).get(t)));
        }
        assertThat(landed).containsExactlyInAnyOrderElementsOf(typedDigests(typed));
        // And as text: the lines read back from the targets are the lines read from the source, byte for byte.
        List<String> back = new ArrayList<>();
        for (ShardLocation t : List.of(b, t4)) {
            for (TableRows.Row r : CopyOut.read(c, Map.of(t, List.of(7L, 8L)), RULE, layout)
                    .get(t)
                    .rows()) {
                back.add(new String(r.line(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        List<String> source = new ArrayList<>();
        for (TableRows.Row r : rows) {
            source.add(new String(r.line(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(back).containsExactlyInAnyOrderElementsOf(source);
        assertThat(TableRows.read(c, Map.of(t3, List.of(7L, 8L)), RULE).get(t3).rows())
                .isEmpty();
    }

    @Test
    void stagedLinesLandInTheirOwnSchemasOnlyAndTheStageEmptiesAtCommit() throws Exception {
        ShardLocation a = new ShardLocation("ds", "a");
        List<ShardLocation> targets =
                List.of(new ShardLocation("ds", "b"), new ShardLocation("ds", "t3"), new ShardLocation("ds", "t4"));
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA t3");
            st.execute("CREATE SCHEMA t4");
            st.execute("CREATE TABLE t3.items " + COLUMNS);
            st.execute("CREATE TABLE t4.items " + COLUMNS);
        }
        TableRows.Batch layout = CopyOut.layout(c, a, RULE);
        TableRows.Batch text =
                CopyOut.read(c, Map.of(a, List.of(7L, 8L)), RULE, layout).get(a);
        TableRows.Batch typed =
                TableRows.read(c, Map.of(a, List.of(7L, 8L)), RULE).get(a);
        List<TableRows.Row> rows = text.rows();
        // Rows 1-2 to b, none to t3, 3-4 to t4: an empty target writes nothing and the counts still check.
        List<StagedCopy.Target> plan = List.of(
                new StagedCopy.Target(targets.get(0), rows.subList(0, 2)),
                new StagedCopy.Target(targets.get(1), List.of()),
                new StagedCopy.Target(targets.get(2), rows.subList(2, 4)));
        // A transaction that staged and rolled back (taking its temp table with it) must not break the next one.
        c.setAutoCommit(false);
        StagedCopy.write(c, RULE, layout, plan);
        c.rollback();
        StagedCopy.forget(c);
        for (int round = 0; round < 2; round++) {
            StagedCopy.write(c, RULE, layout, plan);
            c.commit();
            if (round == 0) {
                try (Statement st = c.createStatement()) {
                    st.execute("DELETE FROM b.items");
                    st.execute("DELETE FROM t4.items");
                }
                c.commit();
            }
        }
        c.setAutoCommit(true);
        List<RowDigest> landed = new ArrayList<>();
        for (ShardLocation t : targets) {
            landed.addAll(typedDigests(
                    TableRows.read(c, Map.of(t, List.of(7L, 8L)), RULE).get(t)));
        }
        assertThat(landed).containsExactlyInAnyOrderElementsOf(typedDigests(typed));
        assertThat(TableRows.read(c, Map.of(targets.get(1), List.of(7L, 8L)), RULE)
                        .get(targets.get(1))
                        .rows())
                .isEmpty();
        try (Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(
                        "SELECT (SELECT count(*) FROM b.items)," + " (SELECT count(*) FROM t4.items)")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(2);
            assertThat(rs.getLong(2)).isEqualTo(2);
        }
    }

    @Test
    void aLayoutTakenBeforeAColumnWasAddedFailsTheReadLoudly() throws Exception {
        ShardLocation a = new ShardLocation("ds", "a");
        TableRows.Batch layout = CopyOut.layout(c, a, RULE);
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE a.items ADD COLUMN extra INT DEFAULT 5");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> CopyOut.read(c, Map.of(a, List.of(7L, 8L)), RULE, layout))
                .isInstanceOf(java.sql.SQLException.class)
                .hasMessageContaining("fields");
        assertThat(CopyOut.read(c, Map.of(a, List.of(7L, 8L)), RULE, CopyOut.layout(c, a, RULE))
                        .get(a)
                        .rows())
                .hasSize(ROWS.length);
    }

    @Test
    void aTableWithATimestamptzColumnKeepsTheJdbcPath() throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE a.items ADD COLUMN seen TIMESTAMPTZ");
        }
        assertThat(CopyOut.layout(c, new ShardLocation("ds", "a"), RULE)).isNull();
    }
}
