package io.vshard.engine;

import io.vshard.engine.merge.ColumnInfo;
import io.vshard.engine.merge.ListSource;
import io.vshard.engine.merge.MergeSources;
import io.vshard.engine.merge.ResultSetSource;
import io.vshard.engine.merge.RowMetaData;
import io.vshard.engine.merge.RowResultSet;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.sql.ShardStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Runs one shard statement on a leased connection, passing backend results and errors through. */
final class ShardRunner {
    private ShardRunner() {}

    /**
     * The outcome on one shard.
     *
     * @param statement the backend statement (closing it closes its result set)
     * @param rows the result set, or {@code null}
     * @param updateCount the update count, or -1
     * @param keptAs the text under which {@link #end} hands the statement back to its lease, or {@code null}
     *     when it closes it
     */
    record Outcome(Statement statement, ResultSet rows, long updateCount, String keptAs) {}

    static Outcome run(Lease lease, ShardStatement s, StatementOptions opts, RunningStatements running)
            throws SQLException {
        return run(lease, s, opts, running, null, false);
    }

    /** Runs {@code s} with a session's remembered settings ({@code null}: none) replayed on the connection. */
    static Outcome run(
            Lease lease, ShardStatement s, StatementOptions opts, RunningStatements running, SessionSettings settings)
            throws SQLException {
        return run(lease, s, opts, running, settings, false);
    }

    /**
     * As {@link #run(Lease, ShardStatement, StatementOptions, RunningStatements, SessionSettings)}; with
     * {@code keep}, a prepared statement with default options comes from and goes back to the lease's kept
     * statements, the caller must end the outcome with {@link #end} on the same lease, and the caller records
     * the statement's time in the shard's latency histogram (it times the statement for its health too).
     */
    static Outcome run(
            Lease lease,
            ShardStatement s,
            StatementOptions opts,
            RunningStatements running,
            SessionSettings settings,
            boolean keep)
            throws SQLException {
        Connection c = lease.connection();
        Statement st = null;
        String keptAs = null;
        try {
            if (settings == null) {
                if (!s.schemaQualified()) {
                    lease.use(s.shard().location());
                }
            } else {
                // a statement that names its schema only needs the session's settings replayed
                lease.use(
                        s.shard().location(),
                        s.schemaQualified(),
                        settings.snapshot(s.shard().shard() < 0));
            }
            boolean hasResult;
            if (opts.prepared() || !s.parameters().isEmpty()) {
                PreparedStatement ps = null;
                if (keep && reusable(s, opts, lease)) {
                    keptAs = s.sql();
                    ps = lease.kept(keptAs, s.parameters().size());
                }
                if (ps == null) {
                    // A statement to keep is made on the driver's connection, so it outlives this checkout.
                    ps = prepare(keptAs != null ? lease.physical() : c, s.sql(), opts);
                }
                st = ps;
                configure(ps, opts);
                bind(ps, s.parameters());
                running.add(ps);
                if (keep) {
                    hasResult = ps.execute();
                } else {
                    long started = System.nanoTime();
                    hasResult = ps.execute();
                    lease.pool().metrics().shardStatement(s.shard(), System.nanoTime() - started);
                }
            } else {
                st = c.createStatement();
                configure(st, opts);
                running.add(st);
                long started = keep ? 0 : System.nanoTime();
                hasResult = generatedKeysWanted(opts)
                        ? st.execute(s.sql(), Statement.RETURN_GENERATED_KEYS)
                        : st.execute(s.sql());
                if (!keep) {
                    lease.pool().metrics().shardStatement(s.shard(), System.nanoTime() - started);
                }
            }
            return hasResult
                    ? new Outcome(st, st.getResultSet(), -1, keptAs)
                    : new Outcome(st, null, st.getUpdateCount(), keptAs);
        } catch (SQLException e) {
            lease.pool().forget(c);
            if (st != null) {
                running.remove(st);
                closeQuietly(st);
            }
            if (keptAs != null) {
                lease.discard(keptAs, (PreparedStatement) st);
            }
            throw ShardErrors.translate(e, describe(s.shard()));
        }
    }

    /**
     * Ends a shard statement: unregisters it from {@code running} and closes it, or closes its result set and
     * hands it back to {@code lease} for the next execution of its text.
     */
    static void end(Lease lease, Outcome out, RunningStatements running) {
        running.remove(out.statement());
        if (out.keptAs() == null) {
            closeQuietly(out.statement());
            return;
        }
        try {
            if (out.rows() != null) {
                out.rows().close();
            }
            lease.keep(out.keptAs(), (PreparedStatement) out.statement());
        } catch (SQLException | RuntimeException e) {
            closeQuietly(out.statement());
            lease.discard(out.keptAs(), (PreparedStatement) out.statement());
        }
    }

    /**
     * Whether a kept statement may run {@code s}: default options (nothing to reset between executions), and a
     * text that names its schema or a PostgreSQL backend, which re-plans a prepared statement when the
     * connection's {@code search_path} changed (others may have resolved the tables of the schema it was
     * prepared in, as H2 does).
     */
    private static boolean reusable(ShardStatement s, StatementOptions opts, Lease lease) {
        return opts.fetchSize() == 0
                && opts.queryTimeoutSeconds() == 0
                && !opts.generatedKeys()
                && (s.schemaQualified() || lease.pool().dialect() == io.vshard.config.Dialect.POSTGRESQL);
    }

    /** Binds parameters, with the common types through their own setters (no type dispatch in the driver). */
    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof Long l) {
                ps.setLong(i + 1, l);
            } else if (v instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else if (v instanceof String t) {
                ps.setString(i + 1, t);
            } else if (v instanceof UntypedText u) {
                ps.setObject(i + 1, u.text(), java.sql.Types.OTHER);
            } else {
                ps.setObject(i + 1, v);
            }
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, StatementOptions opts) throws SQLException {
        if (!opts.generatedKeys()) {
            return c.prepareStatement(sql);
        }
        if (!opts.keyColumns().isEmpty()) {
            return c.prepareStatement(sql, opts.keyColumns().toArray(new String[0]));
        }
        return c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
    }

    private static boolean generatedKeysWanted(StatementOptions opts) {
        return opts.generatedKeys();
    }

    private static void configure(Statement st, StatementOptions opts) throws SQLException {
        if (opts.fetchSize() > 0) {
            st.setFetchSize(opts.fetchSize());
        }
        if (opts.queryTimeoutSeconds() > 0) {
            st.setQueryTimeout(opts.queryTimeoutSeconds());
        }
    }

    /** Reads the generated keys of finished shard statements into one result, or {@code null}. */
    static ResultSet generatedKeys(List<Outcome> outcomes) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        RowMetaData meta = null;
        for (Outcome o : outcomes) {
            try (ResultSet rs = o.statement().getGeneratedKeys()) {
                if (rs == null) {
                    continue;
                }
                if (meta == null) {
                    meta = new RowMetaData(ColumnInfo.of(rs.getMetaData(), -1));
                }
                rows.addAll(MergeSources.drain(new ResultSetSource(rs, null)));
            }
        }
        return meta == null ? null : new RowResultSet(new ListSource(rows), meta);
    }

    /**
     * How a shard is named in messages and metrics: {@code v1:7@pg_a/shard_007}, or the default shard. Remembered
     * per shard, since every statement names its shard (metrics, the 08006 message); the manifests bound the
     * distinct shards, and the map is emptied should an unusual fleet exceed {@link #NAMES_KEPT}.
     */
    static String describe(LogicalShard shard) {
        String name = NAMES.get(shard);
        if (name == null) {
            if (NAMES.size() >= NAMES_KEPT) {
                NAMES.clear();
            }
            name = shard.shard() < 0 ? "default shard " + shard.location() : shard.toString();
            NAMES.put(shard, name);
        }
        return name;
    }

    private static final int NAMES_KEPT = 65_536;
    private static final Map<LogicalShard, String> NAMES = new ConcurrentHashMap<>();

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // Closing after a failure: the first failure is what the application needs to see.
        }
    }
}
