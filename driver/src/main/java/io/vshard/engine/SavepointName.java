package io.vshard.engine;

import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A savepoint's name: {@code text} as it is sent to each shard's connection, {@code key} as savepoints are told
 * apart (an unquoted name folds to lower case, as PostgreSQL folds it and MySQL compares it; a quoted one stays
 * as written). Only a plain identifier or a quoted one is taken, so the text can be sent on unchanged.
 *
 * @param key the name savepoints are matched by
 * @param text the name as written in the statement
 */
public record SavepointName(String key, String text) {
    private static final Pattern LAST_NAME =
            Pattern.compile("(?:\"((?:[^\"]|\"\")+)\"|`((?:[^`]|``)+)`|([A-Za-z_][A-Za-z0-9_$]*))\\s*;?\\s*$");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final Set<String> NOT_NAMES =
            Set.of("savepoint", "release", "rollback", "abort", "to", "work", "transaction");

    /**
     * The name a {@code SAVEPOINT}, {@code RELEASE [SAVEPOINT]} or {@code ROLLBACK [WORK] TO [SAVEPOINT]} statement
     * ends with.
     *
     * @throws SQLException 42601 when the statement ends in no savepoint name
     */
    static SavepointName inStatement(String sql) throws SQLException {
        Matcher m = LAST_NAME.matcher(sql);
        if (!m.find() || (m.group(3) != null && NOT_NAMES.contains(m.group(3).toLowerCase(Locale.ROOT)))) {
            throw VShardSQLException.of(
                    VShardState.SYNTAX_ERROR, null, "no savepoint name at the end of '" + sql.strip() + "'");
        }
        if (m.group(3) != null) {
            return new SavepointName(m.group(3).toLowerCase(Locale.ROOT), m.group(3));
        }
        String quoted = m.group(1) != null
                ? m.group(1).replace("\"\"", "\"")
                : m.group(2).replace("``", "`");
        return new SavepointName(quoted, sql.substring(m.start(), m.end(m.group(1) != null ? 1 : 2) + 1));
    }

    /**
     * The name a JDBC application gave {@code Connection.setSavepoint(String)}.
     *
     * @throws SQLException 42601 when it is not a plain identifier
     */
    public static SavepointName of(String name) throws SQLException {
        if (name == null || !PLAIN.matcher(name).matches()) {
            throw VShardSQLException.of(
                    VShardState.SYNTAX_ERROR,
                    null,
                    "savepoint name '" + name + "': vshard takes letters, digits, '_' and '$', starting with a letter");
        }
        return new SavepointName(name.toLowerCase(Locale.ROOT), name);
    }
}
