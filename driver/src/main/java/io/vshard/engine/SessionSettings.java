package io.vshard.engine;

import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code SET} statements a session made, one per variable in the order last set, replayed on whichever
 * pooled backend connection serves the session next. Shard connections get every setting but
 * {@code search_path}, which stays the logical shard's schema (routing depends on it); the default shard gets
 * them all. Used by one session's thread at a time; {@link #snapshot} returns an immutable list.
 */
final class SessionSettings {
    private static final Pattern SET = Pattern.compile(
            "^\\s*SET\\s+(SESSION\\s+|LOCAL\\s+)?(TIME\\s+ZONE\\b|\"[^\"]+\"|[A-Za-z_][\\w.]*)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern RESET = Pattern.compile(
            "^\\s*(RESET|DISCARD)\\s+(TIME\\s+ZONE\\b|\"[^\"]+\"|[A-Za-z_][\\w.]*)", Pattern.CASE_INSENSITIVE);
    private static final String SEARCH_PATH = "search_path";

    private final Map<String, String> byName = new LinkedHashMap<>();
    private List<String> all = List.of();
    private List<String> shard = List.of();

    /** What a session-changing statement does to the remembered settings. */
    enum Effect {
        /** {@code SET LOCAL}: lasts until the end of the transaction, nothing to remember. */
        TRANSACTION_ONLY,
        /** Remembered (or forgotten, for RESET). */
        REMEMBERED
    }

    /**
     * Checks a session-changing statement before it runs.
     *
     * @throws java.sql.SQLException 0A000 for statements that would change the backend role or cannot be replayed
     */
    static Effect check(String sql) throws java.sql.SQLException {
        Matcher set = SET.matcher(sql);
        if (set.find()) {
            String name = name(set.group(2));
            if (name.equals("role") || name.equals("session") || name.equals("authorization")) {
                throw VShardSQLException.of(VShardState.NOT_YET_AVAILABLE, null, "changing the backend role");
            }
            return set.group(1) != null && set.group(1).trim().equalsIgnoreCase("local")
                    ? Effect.TRANSACTION_ONLY
                    : Effect.REMEMBERED;
        }
        Matcher reset = RESET.matcher(sql);
        if (reset.find()) {
            String name = name(reset.group(2));
            if (reset.group(1).equalsIgnoreCase("discard") && !name.equals("all")) {
                throw VShardSQLException.of(VShardState.NOT_YET_AVAILABLE, null, "DISCARD " + name + " through vshard");
            }
            return Effect.REMEMBERED;
        }
        throw VShardSQLException.of(VShardState.NOT_YET_AVAILABLE, null, "'" + sql.strip() + "' through vshard");
    }

    /** Remembers a statement that {@link #check} accepted and the default shard ran successfully. */
    void remember(String sql) {
        Matcher set = SET.matcher(sql);
        if (set.find()) {
            if (set.group(1) != null && set.group(1).trim().equalsIgnoreCase("local")) {
                return;
            }
            String name = name(set.group(2));
            byName.remove(name);
            byName.put(name, sql.strip());
        } else {
            Matcher reset = RESET.matcher(sql);
            if (!reset.find()) {
                return;
            }
            String name = name(reset.group(2));
            if (name.equals("all")) {
                byName.clear();
            } else {
                byName.remove(name);
            }
        }
        all = List.copyOf(byName.values());
        List<String> noPath = new ArrayList<>();
        byName.forEach((n, s) -> {
            if (!n.equals(SEARCH_PATH)) {
                noPath.add(s);
            }
        });
        shard = List.copyOf(noPath);
    }

    /**
     * Remembers a setting under a name the caller chose (the MySQL path, see {@link MySqlSessionSettings}); the
     * last statement per name wins, and every connection gets it.
     */
    void rememberNamed(String name, String statement) {
        byName.remove(name);
        byName.put(name, statement);
        all = List.copyOf(byName.values());
        shard = all;
    }

    /** A copy, taken before a transaction changes settings, to restore if it rolls back. */
    SessionSettings copy() {
        SessionSettings c = new SessionSettings();
        c.restore(this);
        return c;
    }

    /** Makes this hold exactly what {@code from} holds (PostgreSQL undoes a rolled-back transaction's SETs). */
    void restore(SessionSettings from) {
        byName.clear();
        byName.putAll(from.byName);
        all = from.all;
        shard = from.shard;
    }

    /** The settings to replay on a connection serving the default shard ({@code true}) or a logical shard. */
    List<String> snapshot(boolean defaultShard) {
        return defaultShard ? all : shard;
    }

    /** Whether the session changed no setting. */
    boolean isEmpty() {
        return byName.isEmpty();
    }

    private static String name(String raw) {
        if (raw.startsWith("\"")) {
            return raw.substring(1, raw.length() - 1);
        }
        String n = raw.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return n.equals("time zone") ? "timezone" : n;
    }
}
