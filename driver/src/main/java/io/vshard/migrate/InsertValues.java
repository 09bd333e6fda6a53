package io.vshard.migrate;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Utils;

/**
 * Writes rows read as COPY text lines ({@link CopyOut}) into their targets in one PostgreSQL database with one
 * multi-row {@code INSERT} per target, all of them sent together: a batch's writes to a database take one round
 * trip where one {@code COPY ... FROM STDIN} per target took two each (a cohort scatters to dozens of targets).
 *
 * <p>Each field's COPY escapes are undone ({@link CopyText#text}) and the value goes as a string literal of
 * unknown type, which the server turns into the target column's type with the column type's input function, the
 * one COPY uses, so a row lands as COPY would land it ({@code CopyOutIT}). NULL goes as {@code NULL}. Every
 * insert's row count is checked against the rows sent to its target (XX000 otherwise). In the caller's
 * transaction. Only with the system property {@value #PROPERTY}{@code =true}; else one COPY per target.
 */
final class InsertValues {
    /**
     * The system property that turns this path on ({@code true}). Off by default: it saves round trips but the
     * server parses every value as a literal, which cost more server CPU than COPY (2.50 against 2.06 s per 100k
     * rows with the other levers, BENCHMARKS.md session 7), and on a CPU-bound host the migration was no faster.
     */
    static final String PROPERTY = "vshard.migrator.insertValues";

    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty(PROPERTY, "false"));

    /** The lines bound for one table at one location. */
    record Target(ShardLocation at, TableRule table, TableRows.Batch layout, List<TableRows.Row> rows) {}

    private InsertValues() {}

    /** Inserts every target's rows on {@code c}; returns the rows written. */
    static long write(Connection c, List<Target> targets) throws SQLException {
        if (targets.isEmpty()) {
            // Always the case with the path off, and on H2 or MySQL, whose connections are no pgjdbc connection.
            return 0;
        }
        boolean conforming = c.unwrap(BaseConnection.class).getStandardConformingStrings();
        StringBuilder sql = new StringBuilder(64 * 1024);
        List<Target> sent = new ArrayList<>();
        for (Target t : targets) {
            if (t.rows().isEmpty()) {
                continue;
            }
            append(sql, t, conforming);
            sent.add(t);
        }
        if (sent.isEmpty()) {
            return 0;
        }
        long written = 0;
        try (Statement st = c.createStatement()) {
            st.execute(sql.toString());
            for (Target t : sent) {
                int n = st.getUpdateCount();
                if (n != t.rows().size()) {
                    throw new SQLException(
                            "INSERT into " + TableRows.qualified(t.at(), t.table()) + " wrote " + n + " rows of "
                                    + t.rows().size(),
                            "XX000");
                }
                written += n;
                st.getMoreResults();
            }
        }
        return written;
    }

    /** One target's {@code INSERT INTO ... VALUES (...), ...;} */
    static void append(StringBuilder sql, Target t, boolean conforming) throws SQLException {
        TableRows.Batch layout = t.layout();
        CopyText text = new CopyText(layout);
        int[] ends = new int[layout.columns().size()];
        sql.append("INSERT INTO ")
                .append(TableRows.qualified(t.at(), t.table()))
                .append(" (")
                .append(String.join(", ", layout.columns()))
                .append(") VALUES ");
        boolean firstRow = true;
        for (TableRows.Row r : t.rows()) {
            byte[] line = r.line();
            if (line == null) {
                throw new SQLException(
                        "a row for " + TableRows.qualified(t.at(), t.table()) + " was not read as COPY text", "XX000");
            }
            CopyText.fields(line, line.length, ends);
            sql.append(firstRow ? "(" : ", (");
            firstRow = false;
            int from = 0;
            for (int i = 0; i < ends.length; i++) {
                if (i > 0) {
                    sql.append(", ");
                }
                if (CopyText.isNull(line, from, ends[i])) {
                    sql.append("NULL");
                } else {
                    sql.append('\'');
                    Utils.escapeLiteral(sql, text.text(line, from, ends[i]), conforming);
                    sql.append('\'');
                }
                from = ends[i] + 1;
            }
            sql.append(')');
        }
        sql.append(";\n");
    }
}
