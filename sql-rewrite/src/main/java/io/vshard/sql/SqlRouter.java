package io.vshard.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.admin.AdminParser;
import io.vshard.sql.parse.Scan;
import io.vshard.sql.parse.Splitter;
import io.vshard.sql.route.KeyedRead;
import io.vshard.sql.route.KeyedWrite;
import io.vshard.sql.route.PlacedRead;
import io.vshard.sql.route.Planner;
import java.util.List;

/**
 * Turns an application's SQL text and parameters into a {@link RoutePlan}. Thread safe; holds the parse
 * cache. The placement function decides every shard.
 *
 * <p>Two caches: the exact text of statements without literals (prepared statements) maps to its lexical
 * scan, so a repeated prepared statement is not even lexed again; the normalized text (literals replaced by
 * {@code ?}) maps to the routing analysis, so simple-protocol statements that differ only in their literals
 * are parsed by Calcite once.
 */
public final class SqlRouter {
    private final Planner planner;
    private final Cache<String, Scan> scans;

    /**
     * Creates a router.
     *
     * @param rules the table rules
     * @param cacheEntries the parse cache size
     */
    public SqlRouter(TableRules rules, long cacheEntries) {
        this.planner = new Planner(rules, cacheEntries);
        // maintenance (eviction) on the calling thread: no hand-off to the common pool on a cache miss
        this.scans = Caffeine.newBuilder()
                .maximumSize(cacheEntries)
                .executor(Runnable::run)
                .build();
    }

    /**
     * Splits text holding several statements (separated by {@code ;} outside quotes and comments).
     *
     * @return the statements, without the separators, empty statements dropped
     * @throws RoutingException 42601 on an unterminated literal or comment
     */
    public List<String> split(String sql) {
        return Splitter.split(sql);
    }

    /**
     * Plans one statement.
     *
     * @param sql one statement (PostgreSQL {@code $n} or JDBC {@code ?} parameters)
     * @param parameters the bound parameter values, in order
     * @param state the routing state to resolve keys through
     * @throws RoutingException with SQLSTATE 42601 or 0A000 when the statement cannot be routed
     */
    public RoutePlan plan(String sql, List<Object> parameters, RoutingState state) {
        Scan scan = scans.getIfPresent(sql);
        if (scan == null) {
            scan = Scan.of(sql);
            if (!scan.hasLiterals()) {
                scans.put(sql, scan);
            }
        }
        if (scan.tokens().isEmpty()) {
            throw new RoutingException("42601", "empty statement", 1);
        }
        switch (scan.kind()) {
            case TRANSACTION:
                return new RoutePlan.Transaction(scan.transactionKind(), sql);
            case SESSION:
                return new RoutePlan.Session(sql, scan.changesSession());
            case ADMIN:
                return new RoutePlan.Admin(AdminParser.parse(sql));
            case DDL:
                return planner.ruleTableNamed(scan) != null
                        ? new RoutePlan.EveryShard(sql, parameters, true)
                        : new RoutePlan.DefaultShard(sql, parameters, true);
            case OTHER:
                String table = planner.ruleTableNamed(scan);
                if (table != null && typo(scan.leadingWord())) {
                    throw new RoutingException("42601", "syntax error at or near \"" + scan.leadingWord() + "\"", 1);
                }
                if (table != null) {
                    throw new RoutingException(
                            "0A000",
                            "vshard cannot route " + scan.leadingWord() + " on sharded or broadcast table " + table,
                            1);
                }
                return new RoutePlan.DefaultShard(sql, parameters, !readOnly(scan.leadingWord()));
            default:
                return planner.plan(scan, parameters, state);
        }
    }

    /**
     * For a read whose plan is always the unchanged text on the shard of one parameter's value, what decides
     * that shard (see {@link KeyedRead}); {@code null} for every other statement, which {@link #plan} routes.
     */
    public KeyedRead keyedRead(String sql) {
        Scan scan = scans.getIfPresent(sql);
        if (scan == null) {
            scan = Scan.of(sql);
        }
        if (scan.tokens().isEmpty()) {
            return null;
        }
        return planner.keyedRead(scan);
    }

    /**
     * For a read whose key condition names one creator value, its plan made once per text for any routing state
     * (see {@link PlacedRead}); {@code null} for every other statement, which {@link #plan} routes.
     */
    public PlacedRead placedRead(String sql) {
        Scan scan = scans.getIfPresent(sql);
        if (scan == null) {
            scan = Scan.of(sql);
        }
        if (scan.tokens().isEmpty()) {
            return null;
        }
        return planner.placedRead(scan);
    }

    /**
     * For a single-row INSERT whose plan is always the unchanged text on the write target of one parameter's
     * value, what decides that target (see {@link KeyedWrite}); {@code null} for every other statement.
     */
    public KeyedWrite keyedWrite(String sql) {
        Scan scan = scans.getIfPresent(sql);
        if (scan == null) {
            scan = Scan.of(sql);
        }
        if (scan.tokens().isEmpty()) {
            return null;
        }
        return planner.keyedWrite(scan);
    }

    /**
     * Whether the statement names a sharded or broadcast table (literals and comments ignored). When it names
     * none, {@link #plan} gives it the same plan for any parameter values.
     */
    public boolean namesRuleTable(String sql) {
        Scan scan = scans.getIfPresent(sql);
        if (scan == null) {
            scan = Scan.of(sql);
        }
        return planner.ruleTableNamed(scan) != null;
    }

    private static boolean typo(String word) {
        for (String k : List.of("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")) {
            if (io.vshard.sql.parse.Words.near(word, k)) {
                return true;
            }
        }
        return false;
    }

    private static boolean readOnly(String word) {
        return word.equals("EXPLAIN") || word.equals("DESCRIBE") || word.equals("DESC") || word.equals("HELP");
    }
}
