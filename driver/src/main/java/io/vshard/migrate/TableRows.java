package io.vshard.migrate;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.digest.RowDigest;
import io.vshard.manifest.digest.RowEncoder;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.window.WindowId;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Reads, writes and digests the rows of one sharded table at one location: whole rows with their column
 * types, the shard key each carries, and the canonical row digest (manifest/README.md) mapped from JDBC types,
 * so a PostgreSQL and a MySQL shard holding the same rows digest equal.
 */
final class TableRows {
    private static final int DELETE_CHUNK = 500;

    private TableRows() {}

    /**
     * A row read from a location: its values as JDBC returns them, or (read by {@link CopyOut}) {@code values}
     * {@code null} and {@code line} its PostgreSQL COPY text line without the newline.
     */
    record Row(Object[] values, ShardKey key, WindowId window, Object primaryKey, byte[] line) {
        Row(Object[] values, ShardKey key, WindowId window, Object primaryKey) {
            this(values, key, window, primaryKey, null);
        }
    }

    /** The rows and the column layout ({@code typeNames}: the database's own type names, for COPY). */
    record Batch(List<String> columns, int[] types, int[] scales, List<String> typeNames, List<Row> rows) {}

    static String qualified(ShardLocation l, TableRule t) {
        return l.schema() + "." + t.name();
    }

    /** The rows of {@code creators} at {@code l}. */
    static Batch read(Connection c, ShardLocation l, TableRule t, Collection<Long> creators) throws SQLException {
        if (creators.isEmpty()) {
            return new Batch(List.of(), new int[0], new int[0], List.of(), List.of());
        }
        StringBuilder sql = new StringBuilder("SELECT * FROM ")
                .append(qualified(l, t))
                .append(" WHERE ")
                .append(t.creatorColumn())
                .append(" IN (");
        for (int i = 0; i < creators.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        sql.append(")");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (long id : creators) {
                ps.setLong(i++, id);
            }
            return collect(ps, t);
        }
    }

    /**
     * The rows of {@code creators} at several locations of one data source, in one round trip: one
     * {@code UNION ALL} branch per location, each row tagged with its location's index (a trailing column that
     * is not part of the row).
     */
    static java.util.Map<ShardLocation, Batch> read(
            Connection c, List<ShardLocation> locations, TableRule t, Collection<Long> creators) throws SQLException {
        java.util.Map<ShardLocation, Collection<Long>> each = new java.util.LinkedHashMap<>();
        for (ShardLocation l : locations) {
            each.put(l, creators);
        }
        return read(c, each, t);
    }

    /**
     * The rows of each location's own creators at several locations of one data source, in one round trip: one
     * {@code UNION ALL} branch per location with that location's creators, each row tagged with its location's
     * index (a trailing column that is not part of the row). So each creator is probed only where it may be.
     */
    static java.util.Map<ShardLocation, Batch> read(
            Connection c, java.util.Map<ShardLocation, ? extends Collection<Long>> creators, TableRule t)
            throws SQLException {
        java.util.Map<ShardLocation, Batch> out = new java.util.LinkedHashMap<>();
        List<ShardLocation> locations = new ArrayList<>();
        for (java.util.Map.Entry<ShardLocation, ? extends Collection<Long>> e : creators.entrySet()) {
            out.put(e.getKey(), new Batch(List.of(), new int[0], new int[0], List.of(), List.of()));
            if (!e.getValue().isEmpty()) {
                locations.add(e.getKey());
            }
        }
        if (locations.isEmpty()) {
            return out;
        }
        if (c.getMetaData().getURL().startsWith("jdbc:h2:")) {
            for (ShardLocation l : locations) {
                out.put(l, readArray(c, l, t, creators.get(l)));
            }
            return out;
        }
        // PostgreSQL takes the creators as one array parameter: one short statement text per location
        // however large the batch, instead of one placeholder per creator.
        boolean array = c.isWrapperFor(org.postgresql.PGConnection.class);
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < locations.size(); i++) {
            sql.append(i == 0 ? "" : " UNION ALL ")
                    .append("SELECT x.*, ")
                    .append(i)
                    .append(" AS vshard_at FROM ")
                    .append(qualified(locations.get(i), t))
                    .append(" x WHERE x.")
                    .append(t.creatorColumn());
            if (array) {
                sql.append(" = ANY(?)");
                continue;
            }
            int n = creators.get(locations.get(i)).size();
            sql.append(" IN (");
            for (int j = 0; j < n; j++) {
                sql.append(j == 0 ? "?" : ", ?");
            }
            sql.append(")");
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (ShardLocation l : locations) {
                Collection<Long> ids = creators.get(l);
                if (array) {
                    ps.setArray(p++, c.createArrayOf("bigint", ids.toArray()));
                    continue;
                }
                for (long id : ids) {
                    ps.setLong(p++, id);
                }
            }
            List<List<Row>> rows = new ArrayList<>();
            for (int i = 0; i < locations.size(); i++) {
                rows.add(new ArrayList<>());
            }
            Batch all = collect(ps, t, rows);
            for (int i = 0; i < locations.size(); i++) {
                out.put(
                        locations.get(i),
                        new Batch(all.columns(), all.types(), all.scales(), all.typeNames(), rows.get(i)));
            }
            return out;
        }
    }

    /**
     * The rows of {@code creators} at {@code l} on H2, one statement per location: {@code = ANY(?)} with an
     * array parameter gives each location one statement text (parsed once, then found in H2's query cache) and
     * still an index lookup per creator, and without a {@code UNION ALL} H2 does not convert every value to the
     * union's column types (profiled as 13% of the migrator's reads, and the parse of a new IN list as 8%).
     */
    private static Batch readArray(Connection c, ShardLocation l, TableRule t, Collection<Long> creators)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT * FROM " + qualified(l, t) + " WHERE " + t.creatorColumn() + " = ANY(?)")) {
            ps.setObject(1, creators.toArray(new Long[0]));
            return collect(ps, t);
        }
    }

    /** The rows of a ledger table at {@code l} whose window is at or after {@code from} (text order = time). */
    static Batch readFromWindow(Connection c, ShardLocation l, TableRule t, WindowId from) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT * FROM " + qualified(l, t) + " WHERE " + t.windowColumn() + " >= ?")) {
            ps.setString(1, from.toString());
            return collect(ps, t);
        }
    }

    /**
     * The distinct (creator, region) pairs of {@code t} at the locations {@code locs} (of one data source) with
     * ids in {@code [first, last]}, in one query.
     */
    static List<ShardKey> creators(Connection c, List<ShardLocation> locs, TableRule t, long first, long last)
            throws SQLException {
        String region = t.regionColumn() == null ? "NULL" : t.regionColumn();
        List<ShardKey> out = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        for (ShardLocation l : locs) {
            sql.append(sql.length() == 0 ? "" : " UNION ")
                    .append("SELECT DISTINCT ")
                    .append(t.creatorColumn())
                    .append(", ")
                    .append(region)
                    .append(" FROM ")
                    .append(qualified(l, t))
                    .append(" WHERE ")
                    .append(t.creatorColumn())
                    .append(" BETWEEN ? AND ?");
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (int i = 0; i < locs.size(); i++) {
                ps.setLong(p++, first);
                ps.setLong(p++, last);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(ShardKey.of(rs.getLong(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    private static Batch collect(PreparedStatement ps, TableRule t) throws SQLException {
        return collect(ps, t, null);
    }

    /**
     * Reads a result into rows; with {@code tagged} non-null the last column is a location index and each row
     * goes to that index's list instead of the batch.
     */
    private static Batch collect(PreparedStatement ps, TableRule t, List<List<Row>> tagged) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount() - (tagged == null ? 0 : 1);
            List<String> columns = new ArrayList<>();
            List<String> typeNames = new ArrayList<>();
            int[] types = new int[n];
            int[] scales = new int[n];
            int creator = -1;
            int region = -1;
            int window = -1;
            int pk = -1;
            for (int i = 0; i < n; i++) {
                String name = md.getColumnLabel(i + 1).toLowerCase(Locale.ROOT);
                columns.add(name);
                types[i] = md.getColumnType(i + 1);
                typeNames.add(String.valueOf(md.getColumnTypeName(i + 1)));
                scales[i] = md.getScale(i + 1);
                creator = name.equals(t.creatorColumn()) ? i : creator;
                region = name.equals(t.regionColumn()) ? i : region;
                window = name.equals(t.windowColumn()) ? i : window;
                pk = name.equals(t.primaryKey()) ? i : pk;
            }
            if (creator < 0 || pk < 0) {
                throw new SQLException("table " + t.name() + " lacks its creator or primary-key column", "42703");
            }
            List<Row> rows = new ArrayList<>();
            while (rs.next()) {
                Object[] v = new Object[n];
                for (int i = 0; i < n; i++) {
                    v[i] = rs.getObject(i + 1);
                }
                String r = region < 0 || v[region] == null ? null : v[region].toString();
                WindowId w = window < 0 || v[window] == null ? null : window(v[window].toString(), t, v[pk]);
                Row row = new Row(v, ShardKey.of(((Number) v[creator]).longValue(), r), w, v[pk]);
                if (tagged == null) {
                    rows.add(row);
                } else {
                    tagged.get(rs.getInt(n + 1)).add(row);
                }
            }
            return new Batch(columns, types, scales, typeNames, rows);
        }
    }

    /**
     * The window a row's window column names. A value that is no window id (written behind vshard's back) cannot
     * be placed, so the copy stops with the table, the row and the value named rather than guess where it goes.
     */
    static WindowId window(String text, TableRule t, Object primaryKey) throws SQLException {
        try {
            return WindowId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SQLException(
                    "table " + t.name() + ", row " + t.primaryKey() + " = " + primaryKey + ": " + t.windowColumn()
                            + " " + e.getMessage() + "; the migrator cannot place this row: correct it on its shard"
                            + " and resume the migration",
                    "22P02",
                    e);
        }
    }

    /** Deletes rows by primary key and inserts rows, in the caller's transaction. */
    static void replace(
            Connection c, ShardLocation l, TableRule t, Batch layout, List<Object> deletes, List<Row> inserts)
            throws SQLException {
        // Deletes go by primary key in chunks, one statement (one round trip) per chunk.
        for (int from = 0; from < deletes.size(); from += DELETE_CHUNK) {
            List<Object> chunk = deletes.subList(from, Math.min(deletes.size(), from + DELETE_CHUNK));
            StringBuilder sql = new StringBuilder("DELETE FROM ")
                    .append(qualified(l, t))
                    .append(" WHERE ")
                    .append(t.primaryKey())
                    .append(" IN (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setObject(i + 1, chunk.get(i));
                }
                ps.executeUpdate();
            }
        }
        if (inserts.isEmpty()) {
            return;
        }
        boolean lines = inserts.get(0).line() != null;
        if (lines || CopyIn.fits(c, layout)) {
            if (lines && !CopyIn.fits(c, layout)) {
                throw new SQLException(
                        "rows read as COPY text can only be written to PostgreSQL: " + qualified(l, t), "XX000");
            }
            long written = CopyIn.write(c, l, t, layout, inserts);
            if (written != inserts.size()) {
                throw new SQLException(
                        "COPY into " + qualified(l, t) + " wrote " + written + " rows of " + inserts.size(), "XX000");
            }
            return;
        }
        StringBuilder sql =
                new StringBuilder("INSERT INTO ").append(qualified(l, t)).append(" (");
        sql.append(String.join(", ", layout.columns())).append(") VALUES (");
        for (int i = 0; i < layout.columns().size(); i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        sql.append(")");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (Row r : inserts) {
                for (int i = 0; i < r.values().length; i++) {
                    ps.setObject(i + 1, r.values()[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The canonical digest of one row. */
    static RowDigest digest(Batch layout, Row row, RowEncoder enc) {
        enc.reset();
        Object[] v = row.values();
        for (int i = 0; i < v.length; i++) {
            Object x = v[i];
            if (x == null) {
                enc.addNull();
                continue;
            }
            switch (layout.types()[i]) {
                case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT ->
                    enc.addInteger(((Number) x).longValue());
                case Types.NUMERIC, Types.DECIMAL -> enc.addDecimal((BigDecimal) x, layout.scales()[i]);
                case Types.BOOLEAN, Types.BIT -> enc.addBoolean((Boolean) x);
                case Types.REAL, Types.FLOAT, Types.DOUBLE -> enc.addFloat(((Number) x).doubleValue());
                case Types.DATE -> enc.addDate(((java.sql.Date) x).toLocalDate());
                case Types.TIMESTAMP ->
                    enc.addTimestamp(((Timestamp) x).toLocalDateTime().toInstant(ZoneOffset.UTC));
                case Types.TIMESTAMP_WITH_TIMEZONE -> enc.addTimestamp(((Timestamp) x).toInstant());
                case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> enc.addBytes((byte[]) x);
                default -> enc.addText(x.toString());
            }
        }
        return RowDigest.of(enc);
    }
}
