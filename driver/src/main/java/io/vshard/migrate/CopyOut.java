package io.vshard.migrate;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Reads rows of a PostgreSQL shard as the server's COPY text lines ({@code COPY (SELECT ...) TO STDOUT}),
 * without decoding them into Java objects: each row keeps its line, to be written to its target with
 * {@code COPY ... FROM STDIN} as it came ({@link CopyIn}) and digested from the text ({@link CopyText}). Only the
 * shard key, window and primary key are parsed out of each line, for placement and the deletes of stale copies.
 */
final class CopyOut {
    private static final Set<String> INTEGER_KEYS = Set.of("int2", "int4", "int8", "serial", "bigserial");
    private static final Set<String> TEXT_KEYS = Set.of("text", "varchar", "bpchar");

    private CopyOut() {}

    /**
     * The column layout of {@code t} at {@code l} if its rows can travel as COPY text (every column type is one
     * {@link CopyText} digests, and the primary key is an integer or text), else {@code null}.
     */
    static TableRows.Batch layout(Connection c, ShardLocation l, TableRule t) throws SQLException {
        if (!c.isWrapperFor(PGConnection.class)) {
            return null;
        }
        List<String> columns = new ArrayList<>();
        List<String> typeNames = new ArrayList<>();
        int[] types;
        int[] scales;
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT x.* FROM " + TableRows.qualified(l, t) + " x WHERE false");
                ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            types = new int[n];
            scales = new int[n];
            for (int i = 0; i < n; i++) {
                columns.add(md.getColumnLabel(i + 1).toLowerCase(Locale.ROOT));
                typeNames.add(String.valueOf(md.getColumnTypeName(i + 1)).toLowerCase(Locale.ROOT));
                types[i] = md.getColumnType(i + 1);
                scales[i] = md.getScale(i + 1);
            }
        }
        int pk = columns.indexOf(t.primaryKey());
        if (pk < 0 || columns.indexOf(t.creatorColumn()) < 0 || !CopyText.supports(typeNames)) {
            return null;
        }
        String pkType = typeNames.get(pk);
        if (!INTEGER_KEYS.contains(pkType) && !TEXT_KEYS.contains(pkType)) {
            return null;
        }
        return new TableRows.Batch(columns, types, scales, typeNames, List.of());
    }

    /**
     * The rows of each location's own creators at several locations of one data source, in one COPY: one
     * {@code UNION ALL} branch per location, each line tagged with its location's index as a last field that is
     * cut off before the line is kept.
     */
    static Map<ShardLocation, TableRows.Batch> read(
            Connection c, Map<ShardLocation, ? extends Collection<Long>> creators, TableRule t, TableRows.Batch layout)
            throws SQLException {
        Map<ShardLocation, TableRows.Batch> out = new LinkedHashMap<>();
        List<ShardLocation> locations = new ArrayList<>();
        List<List<TableRows.Row>> rows = new ArrayList<>();
        StringBuilder sql = new StringBuilder("COPY (");
        for (Map.Entry<ShardLocation, ? extends Collection<Long>> e : creators.entrySet()) {
            out.put(
                    e.getKey(),
                    new TableRows.Batch(
                            layout.columns(), layout.types(), layout.scales(), layout.typeNames(), List.of()));
            if (e.getValue().isEmpty()) {
                continue;
            }
            // COPY takes no parameters; the ids are longs, so the literal array cannot carry anything else.
            sql.append(locations.isEmpty() ? "" : " UNION ALL ")
                    .append("SELECT x.*, ")
                    .append(locations.size())
                    .append(" FROM ")
                    .append(TableRows.qualified(e.getKey(), t))
                    .append(" x WHERE x.")
                    .append(t.creatorColumn())
                    .append(" = ANY('{");
            boolean first = true;
            for (long id : e.getValue()) {
                sql.append(first ? "" : ",").append(id);
                first = false;
            }
            sql.append("}'::bigint[])");
            locations.add(e.getKey());
            rows.add(new ArrayList<>());
        }
        if (locations.isEmpty()) {
            return out;
        }
        sql.append(") TO STDOUT");
        Keys keys = new Keys(layout, t);
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        org.postgresql.copy.CopyOut stream = copy.copyOut(sql.toString());
        CopyText text = new CopyText(layout);
        int[] ends = new int[layout.columns().size() + 1];
        SQLException failed = null;
        try {
            byte[] line;
            while ((line = stream.readFromCopy()) != null) {
                if (failed != null) {
                    // Read to the end after a bad line, so the connection is left between statements.
                    continue;
                }
                try {
                    // One CopyData message is one row, ending in a newline.
                    int length = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
                    CopyText.fields(line, length, ends);
                    int tag = (int) CopyText.integer(line, ends[ends.length - 2] + 1, length);
                    rows.get(tag).add(keys.row(text, Arrays.copyOf(line, ends[ends.length - 2]), ends));
                } catch (SQLException e) {
                    failed = e;
                }
            }
        } finally {
            if (stream.isActive()) {
                stream.cancelCopy();
            }
        }
        if (failed != null) {
            throw failed;
        }
        for (int i = 0; i < locations.size(); i++) {
            out.put(
                    locations.get(i),
                    new TableRows.Batch(
                            layout.columns(), layout.types(), layout.scales(), layout.typeNames(), rows.get(i)));
        }
        return out;
    }

    /** Where the shard key, window and primary key sit in a line, and how to read them. */
    private static final class Keys {
        final int creator;
        final int region;
        final int window;
        final int pk;
        final boolean integerPk;
        final TableRule table;

        Keys(TableRows.Batch layout, TableRule t) {
            table = t;
            List<String> columns = layout.columns();
            creator = columns.indexOf(t.creatorColumn());
            region = t.regionColumn() == null ? -1 : columns.indexOf(t.regionColumn());
            window = t.windowColumn() == null ? -1 : columns.indexOf(t.windowColumn());
            pk = columns.indexOf(t.primaryKey());
            integerPk = INTEGER_KEYS.contains(layout.typeNames().get(pk));
        }

        TableRows.Row row(CopyText text, byte[] line, int[] ends) throws SQLException {
            long id = CopyText.integer(line, start(ends, creator), ends[creator]);
            String r = field(text, line, ends, region);
            String w = field(text, line, ends, window);
            Object key = integerPk
                    ? (Object) CopyText.integer(line, start(ends, pk), ends[pk])
                    : field(text, line, ends, pk);
            return new TableRows.Row(
                    null, ShardKey.of(id, r), w == null ? null : TableRows.window(w, table, key), key, line);
        }

        private static String field(CopyText text, byte[] line, int[] ends, int i) {
            if (i < 0 || CopyText.isNull(line, start(ends, i), ends[i])) {
                return null;
            }
            return text.text(line, start(ends, i), ends[i]);
        }

        private static int start(int[] ends, int i) {
            return i == 0 ? 0 : ends[i - 1] + 1;
        }
    }
}
