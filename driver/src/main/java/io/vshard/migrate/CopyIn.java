package io.vshard.migrate;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Writes copied rows into a PostgreSQL table with {@code COPY ... FROM STDIN} (text format), streamed in
 * chunks, in the caller's transaction: the bulk path of a copy batch, several times faster than multi-row
 * INSERTs. Only for column types whose text form it writes exactly; any other layout keeps the INSERT path.
 */
final class CopyIn {
    /** PostgreSQL types whose values (as pgjdbc returns them) this class writes in COPY text form. */
    private static final Set<String> TYPES = Set.of(
            "int2",
            "int4",
            "int8",
            "serial",
            "bigserial",
            "numeric",
            "bool",
            "float4",
            "float8",
            "text",
            "varchar",
            "bpchar",
            "date",
            "timestamp",
            "timestamptz",
            "bytea",
            "uuid",
            "json",
            "jsonb");

    private static final int CHUNK = 64 * 1024;

    private CopyIn() {}

    /** Whether {@code c} is a PostgreSQL connection and every column of {@code layout} can be written. */
    static boolean fits(Connection c, TableRows.Batch layout) throws SQLException {
        return supports(layout) && c.isWrapperFor(PGConnection.class);
    }

    /** Whether every column type of {@code layout} is one this class writes exactly. */
    static boolean supports(TableRows.Batch layout) {
        for (String type : layout.typeNames()) {
            if (!TYPES.contains(type.toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /** Copies {@code rows} into {@code t} at {@code l}; returns the rows the server reports written. */
    static long write(Connection c, ShardLocation l, TableRule t, TableRows.Batch layout, List<TableRows.Row> rows)
            throws SQLException {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        String sql = "COPY " + TableRows.qualified(l, t) + " (" + String.join(", ", layout.columns()) + ") FROM STDIN";
        org.postgresql.copy.CopyIn in = copy.copyIn(sql);
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(CHUNK + 1024);
            StringBuilder line = new StringBuilder(256);
            for (TableRows.Row r : rows) {
                if (r.line() != null) {
                    // Read by CopyOut from a shard of the same table definition: the server's own line.
                    buf.write(r.line(), 0, r.line().length);
                    buf.write('\n');
                } else {
                    line.setLength(0);
                    encode(layout, r, line);
                    byte[] b = line.toString().getBytes(StandardCharsets.UTF_8);
                    buf.write(b, 0, b.length);
                }
                if (buf.size() >= CHUNK) {
                    in.writeToCopy(buf.toByteArray(), 0, buf.size());
                    buf.reset();
                }
            }
            if (buf.size() > 0) {
                in.writeToCopy(buf.toByteArray(), 0, buf.size());
            }
            return in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** One row read through JDBC as a COPY text line (tab-separated, {@code \N} for NULL, newline-terminated). */
    static void encode(TableRows.Batch layout, TableRows.Row r, StringBuilder out) {
        Object[] v = r.values();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                out.append('\t');
            }
            Object x = v[i];
            if (x == null) {
                out.append("\\N");
                continue;
            }
            String type = layout.typeNames().get(i).toLowerCase(Locale.ROOT);
            switch (type) {
                case "bool" -> out.append(((Boolean) x) ? 't' : 'f');
                case "numeric" -> out.append(((BigDecimal) x).toPlainString());
                // The same wall-clock time pgjdbc read (in the JVM's zone, as it reads it).
                case "timestamp" -> out.append(((Timestamp) x).toLocalDateTime());
                // An instant with its offset, so the session's time zone cannot shift it.
                case "timestamptz" -> out.append(((Timestamp) x).toInstant());
                case "bytea" -> out.append("\\\\x").append(HexFormat.of().formatHex((byte[]) x));
                default -> escape(x.toString(), out);
            }
        }
        out.append('\n');
    }

    private static void escape(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
    }
}
