package io.vshard.migrate;

import io.vshard.config.Dialect;
import io.vshard.engine.Journal;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.function.ShardKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Positions in the shards' journals and the keys written after them: the migrator's change capture.
 *
 * <p>A mark is taken under a share lock of the journal tables ({@code LOCK TABLE ... IN SHARE MODE} on PostgreSQL,
 * {@code LOCK TABLES ... READ} on MySQL and MariaDB, an exclusive table lock on H2), which waits for every transaction that has already journaled
 * a write on that schema to end and briefly holds new ones back. So every write whose
 * journal id is at or below the mark is committed and visible to reads that follow, and every later write
 * has a higher id: nothing slips between a copy and its catch-up. The same wait is what lets the final delta
 * after a fence see every transaction that wrote to the cohort before the fence.
 */
final class JournalMarks {
    private final ShardLinks links;
    private final long lockTimeoutMillis;
    private final ParallelSources parallel;

    /** Marks read through {@code links}, the data sources of one call side by side on {@code parallel}. */
    JournalMarks(ShardLinks links, long lockTimeoutMillis, ParallelSources parallel) {
        this.links = links;
        this.lockTimeoutMillis = lockTimeoutMillis;
        this.parallel = parallel;
    }

    /** The journal's high-water mark at {@code l}, after in-flight writers ended. */
    long mark(ShardLocation l) throws SQLException {
        return lockedMaxima(l.dataSource(), List.of(l)).get(l);
    }

    /**
     * The journals' high-water marks at many locations, after in-flight writers ended: per data source, one
     * transaction that locks every journal table of it in one statement and reads every maximum in one query.
     */
    Map<ShardLocation, Long> mark(Collection<ShardLocation> locations) throws SQLException {
        Map<String, List<ShardLocation>> bySource = bySource(locations);
        Map<ShardLocation, Long> out = new LinkedHashMap<>();
        for (Map<ShardLocation, Long> m : parallel.run(
                        new ArrayList<>(bySource.keySet()), ds -> lockedMaxima(ds, bySource.get(ds)))
                .values()) {
            out.putAll(m);
        }
        return out;
    }

    /**
     * The maxima of {@code locs}' journals under a share lock of them. Journal ids are handed out when a write
     * inserts its journal row, not when it commits, so an unlocked {@code MAX(id)} can pass over a write still in
     * flight with a lower id: a catch-up from that mark never reads it, and the write is lost at the drain.
     */
    private Map<ShardLocation, Long> lockedMaxima(String dataSource, List<ShardLocation> locs) throws SQLException {
        Connection c = links.get(dataSource, ShardLinks.READ);
        Dialect dialect = links.dialect(dataSource);
        StringBuilder tables = new StringBuilder();
        for (ShardLocation l : locs) {
            tables.append(tables.length() == 0 ? "" : ", ")
                    .append(l.schema())
                    .append('.')
                    .append(Journal.TABLE)
                    .append(dialect == Dialect.MYSQL ? " READ" : "");
        }
        c.setAutoCommit(false);
        boolean locked = false;
        try (Statement st = c.createStatement()) {
            switch (dialect) {
                case POSTGRESQL -> {
                    st.execute("SET LOCAL lock_timeout = '" + lockTimeoutMillis + "ms'");
                    st.execute("LOCK TABLE " + tables + " IN SHARE MODE");
                }
                case MYSQL -> {
                    // InnoDB takes a table S lock for LOCK TABLES ... READ with autocommit off: it waits for the
                    // transactions holding row locks there (writes journaled, not yet committed), like SHARE MODE.
                    long seconds = Math.max(1, (lockTimeoutMillis + 999) / 1000);
                    st.execute(
                            "SET SESSION innodb_lock_wait_timeout = " + seconds + ", lock_wait_timeout = " + seconds);
                    locked = true;
                    st.execute("LOCK TABLES " + tables);
                }
                case H2 -> {
                    // H2 has no LOCK TABLE; this no-op ALTER takes the table's exclusive lock inside the
                    // transaction (no implicit commit), waiting for the transactions that wrote to it.
                    st.execute("SET LOCK_TIMEOUT " + lockTimeoutMillis);
                    for (ShardLocation l : locs) {
                        st.execute(
                                "ALTER TABLE " + l.schema() + "." + Journal.TABLE + " SET REFERENTIAL_INTEGRITY TRUE");
                    }
                }
            }
            Map<ShardLocation, Long> out = maxima(st, locs);
            if (locked) {
                locked = false;
                unlockMysql(st);
            }
            c.commit();
            return out;
        } catch (SQLException ex) {
            if (locked) {
                try (Statement st = c.createStatement()) {
                    unlockMysql(st);
                } catch (SQLException suppressed) {
                    ex.addSuppressed(suppressed);
                }
            }
            c.rollback();
            throw ex;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Ends a MySQL mark: the tables unlocked and the lock timeouts back to the server's (the link copies too). */
    private static void unlockMysql(Statement st) throws SQLException {
        st.execute("UNLOCK TABLES");
        st.execute("SET SESSION innodb_lock_wait_timeout = DEFAULT, lock_wait_timeout = DEFAULT");
    }

    /** The journals' high-water marks at many locations without waiting, one query per data source. */
    Map<ShardLocation, Long> peek(Collection<ShardLocation> locations) throws SQLException {
        Map<String, List<ShardLocation>> bySource = bySource(locations);
        Map<ShardLocation, Long> out = new LinkedHashMap<>();
        for (Map<ShardLocation, Long> m : parallel.run(new ArrayList<>(bySource.keySet()), ds -> {
                    try (Statement st = links.get(ds, ShardLinks.READ).createStatement()) {
                        return maxima(st, bySource.get(ds));
                    }
                })
                .values()) {
            out.putAll(m);
        }
        return out;
    }

    private static Map<ShardLocation, Long> maxima(Statement st, List<ShardLocation> locs) throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < locs.size(); i++) {
            sql.append(i == 0 ? "" : " UNION ALL ")
                    .append("SELECT ")
                    .append(i)
                    .append(", COALESCE(MAX(id), 0) FROM ")
                    .append(locs.get(i).schema())
                    .append('.')
                    .append(Journal.TABLE);
        }
        Map<ShardLocation, Long> out = new LinkedHashMap<>();
        try (ResultSet rs = st.executeQuery(sql.toString())) {
            while (rs.next()) {
                out.put(locs.get(rs.getInt(1)), rs.getLong(2));
            }
        }
        return out;
    }

    /** The keys journaled at each location after {@code since} (0 when absent) up to {@code upTo}. */
    List<ShardKey> keys(Map<ShardLocation, Long> since, Map<ShardLocation, Long> upTo) throws SQLException {
        Map<Long, ShardKey> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<ShardLocation>> e : bySource(upTo.keySet()).entrySet()) {
            List<ShardLocation> locs = new ArrayList<>();
            for (ShardLocation l : e.getValue()) {
                if (upTo.get(l) > since.getOrDefault(l, 0L)) {
                    locs.add(l);
                }
            }
            if (locs.isEmpty()) {
                continue;
            }
            StringBuilder sql = new StringBuilder();
            for (ShardLocation l : locs) {
                sql.append(sql.length() == 0 ? "" : " UNION ALL ")
                        .append("SELECT creator_id, region FROM ")
                        .append(l.schema())
                        .append('.')
                        .append(Journal.TABLE)
                        .append(" WHERE id > ? AND id <= ?");
            }
            try (PreparedStatement ps = links.get(e.getKey(), ShardLinks.READ).prepareStatement(sql.toString())) {
                int p = 1;
                for (ShardLocation l : locs) {
                    ps.setLong(p++, since.getOrDefault(l, 0L));
                    ps.setLong(p++, upTo.get(l));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        String region = rs.getString(2);
                        if (region != null || !out.containsKey(id)) {
                            out.put(id, ShardKey.of(id, region));
                        }
                    }
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private static Map<String, List<ShardLocation>> bySource(Collection<ShardLocation> locations) {
        Map<String, List<ShardLocation>> out = new LinkedHashMap<>();
        for (ShardLocation l : locations) {
            out.computeIfAbsent(l.dataSource(), k -> new ArrayList<>()).add(l);
        }
        return out;
    }

    /** The journal's high-water mark without waiting (when no write to the scope can be in flight). */
    long peek(ShardLocation l) throws SQLException {
        try (Statement st = links.get(l.dataSource(), ShardLinks.READ).createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM " + l.schema() + "." + Journal.TABLE)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The keys (creator, region as written) journaled at {@code l} with ids in {@code (after, upTo]}. */
    List<ShardKey> keys(ShardLocation l, long after, long upTo) throws SQLException {
        Map<Long, ShardKey> out = new LinkedHashMap<>();
        try (PreparedStatement ps = links.get(l.dataSource(), ShardLinks.READ)
                .prepareStatement("SELECT DISTINCT creator_id, region FROM " + l.schema() + "." + Journal.TABLE
                        + " WHERE id > ? AND id <= ?")) {
            ps.setLong(1, after);
            ps.setLong(2, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    String region = rs.getString(2);
                    if (region != null || !out.containsKey(id)) {
                        out.put(id, ShardKey.of(id, region));
                    }
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    /** Encodes marks for the control store: {@code source/schema=id;...}. */
    static String encode(Map<ShardLocation, Long> marks) {
        StringBuilder sb = new StringBuilder();
        marks.forEach((l, id) -> sb.append(sb.length() == 0 ? "" : ";")
                .append(l.dataSource())
                .append('/')
                .append(l.schema())
                .append('=')
                .append(id));
        return sb.toString();
    }

    /** Decodes {@link #encode(Map)}. */
    static Map<ShardLocation, Long> decode(String text) {
        Map<ShardLocation, Long> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(";")) {
            int slash = part.indexOf('/');
            int eq = part.lastIndexOf('=');
            if (slash > 0 && eq > slash) {
                out.put(
                        new ShardLocation(part.substring(0, slash), part.substring(slash + 1, eq)),
                        Long.parseLong(part.substring(eq + 1)));
            }
        }
        return out;
    }
}
