package io.vshard.engine;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The prepared statements kept on one physical connection, by text, for the next execution of the same text by
 * whichever lease holds the connection then: an application preparing, executing and closing a statement per
 * operation would otherwise cost a driver statement object per execution, and keeping them per lease would
 * lose them each time a lease goes back to the pool (every two seconds at most, see {@link Lease}), which with
 * one text per shard schema means re-preparing every few executions.
 *
 * <p>Used only by the thread holding the connection's lease. A kept statement stays in the map and is marked
 * busy while its borrower runs it, so two open results never share one; a lease closed while one of its
 * statements is busy drops the whole set ({@link DataSourcePool#dropStatements}), since its borrower may hand
 * the statement back after the connection has gone to another lease.
 */
final class ConnectionStatements {
    /** The most idle prepared statements a connection keeps (distinct texts run on it). */
    static final int KEPT = 128;

    // Least recently used first.
    private final Map<String, Kept> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
            if (size() <= KEPT) {
                return false;
            }
            if (eldest.getValue() == last) {
                last = null;
                lastText = null;
            }
            // A busy one leaves the map only: its borrower's keep puts it back or closes it.
            if (!eldest.getValue().busy) {
                ShardRunner.closeQuietly(eldest.getValue().statement);
            }
            return true;
        }
    };
    // The last one taken, found without the map when the same text runs again (the common case).
    private String lastText;
    private Kept last;

    /** A kept statement, whether a borrower is running it, and how many parameters its last run bound. */
    private static final class Kept {
        final PreparedStatement statement;
        boolean busy;
        int bound;

        Kept(PreparedStatement statement) {
            this.statement = statement;
        }
    }

    /**
     * Takes the idle statement kept for {@code sql}, to bind {@code parameters} values, or {@code null}; the
     * caller owns it until it hands it back with {@link #keep} or {@link #discard}.
     */
    PreparedStatement take(String sql, int parameters) throws SQLException {
        Kept k = sql == lastText ? last : kept.get(sql);
        if (k == null || k.busy) {
            return null;
        }
        // Values stay bound between runs (JDBC): the same text binding as many parameters overwrites them
        // all, so only a run binding fewer must clear, leaving the driver to report the ones not set.
        if (parameters < k.bound) {
            k.statement.clearParameters();
        }
        k.bound = parameters;
        k.busy = true;
        lastText = sql;
        last = k;
        return k.statement;
    }

    /**
     * Hands back a finished statement for the next execution of {@code sql}; closes it when another one is
     * already kept for the text. The least recently used idle one beyond {@link #KEPT} is closed.
     */
    void keep(String sql, PreparedStatement ps) {
        if (sql == lastText && last.statement == ps) {
            last.busy = false;
            return;
        }
        Kept k = kept.get(sql);
        if (k == null) {
            kept.put(sql, new Kept(ps));
        } else if (k.statement == ps) {
            k.busy = false;
        } else {
            ShardRunner.closeQuietly(ps);
        }
    }

    /** Forgets {@code ps}, kept for {@code sql}, which its borrower closed after a failure. */
    void discard(String sql, PreparedStatement ps) {
        Kept k = kept.get(sql);
        if (k != null && k.statement == ps) {
            kept.remove(sql);
        }
        if (last != null && last.statement == ps) {
            last = null;
            lastText = null;
        }
    }

    /** Statements kept now, busy or idle. */
    int size() {
        return kept.size();
    }
}
