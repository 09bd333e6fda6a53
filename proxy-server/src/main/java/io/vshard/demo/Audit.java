package io.vshard.demo;

import io.vshard.config.DataSourceConfig;
import io.vshard.config.VShardConfig;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.function.ShardKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the shards directly (plain JDBC to each data source, not through vshard) to count what they hold:
 * creators per logical shard, and every payment id on every physical schema, so lost and duplicated rows are
 * found by comparing with the demo's own ledger rather than by trusting any counter.
 */
final class Audit {
    /**
     * What the shards hold compared with the ledger.
     *
     * @param rowsStored payment and creator rows found (each copy counted)
     * @param lost acknowledged rows found nowhere
     * @param duplicated extra copies of rows found more than once
     * @param unacknowledged rows found that no acknowledged write or load produced
     */
    record Findings(long rowsStored, long lost, long duplicated, long unacknowledged) {}

    private final VShardConfig config;

    Audit(VShardConfig config) {
        this.config = config;
    }

    /** Creators stored on each logical shard of {@code m}. */
    long[] creatorsPerShard(Manifest m) throws SQLException {
        long[] out = new long[m.shardCount()];
        try (Connections open = new Connections()) {
            for (int s = 0; s < out.length; s++) {
                ShardLocation l = m.locate(s);
                try (Statement st = open.to(l.dataSource()).createStatement();
                        ResultSet rs = st.executeQuery("SELECT creator_id, region FROM " + l.schema() + ".creators")) {
                    // Shards of two versions may share a schema: count only the creators m places on shard s.
                    while (rs.next()) {
                        if (m.shardOf(ShardKey.of(rs.getLong(1), rs.getString(2))) == s) {
                            out[s]++;
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Counts every copy of every creator and payment on every schema of {@code manifests} and compares with
     * the dataset (all loaded) and the live writes {@code traffic} acknowledged. With {@code onlyAt} non-null
     * (the old layout still holds its undrained copies), only copies at their place under it count.
     */
    Findings compare(List<Manifest> manifests, Manifest onlyAt, long creators, long loadedPayments, Traffic traffic)
            throws SQLException {
        Set<ShardLocation> places = new LinkedHashSet<>();
        for (Manifest m : manifests) {
            for (int s = 0; s < m.shardCount(); s++) {
                places.add(m.locate(s));
            }
        }
        byte[] creatorCopies = new byte[Math.toIntExact(creators)];
        byte[] paymentCopies = new byte[Math.toIntExact(traffic.lastPaymentId() + 1)];
        long stored = 0;
        long unacknowledged = 0;
        long base = 1_000_000L - 1_000_000L % 64;
        try (Connections open = new Connections()) {
            for (ShardLocation l : places) {
                try (Statement st = open.to(l.dataSource()).createStatement()) {
                    try (ResultSet rs = st.executeQuery("SELECT creator_id, region FROM " + l.schema() + ".creators")) {
                        while (rs.next()) {
                            if (!counted(onlyAt, l, rs)) {
                                continue;
                            }
                            stored++;
                            long k = (rs.getLong(1) - base) / 64;
                            if (k >= 0 && k < creatorCopies.length) {
                                creatorCopies[(int) k]++;
                            } else {
                                unacknowledged++;
                            }
                        }
                    }
                    try (ResultSet rs =
                            st.executeQuery("SELECT creator_id, region, payment_id FROM " + l.schema() + ".payments")) {
                        while (rs.next()) {
                            if (!counted(onlyAt, l, rs)) {
                                continue;
                            }
                            stored++;
                            long id = rs.getLong(3);
                            if (id > 0 && id < paymentCopies.length) {
                                paymentCopies[(int) id]++;
                            } else {
                                unacknowledged++;
                            }
                        }
                    }
                }
            }
        }
        long lost = 0;
        long duplicated = 0;
        for (byte n : creatorCopies) {
            lost += n == 0 ? 1 : 0;
            duplicated += Math.max(0, n - 1);
        }
        for (int id = 1; id < paymentCopies.length; id++) {
            int n = paymentCopies[id];
            boolean acked = id <= loadedPayments || traffic.acknowledged(id);
            if (acked && n == 0) {
                lost++;
            } else if (!acked && n > 0) {
                unacknowledged++;
            }
            duplicated += Math.max(0, n - 1);
        }
        return new Findings(stored, lost, duplicated, unacknowledged);
    }

    /**
     * Whether a row read at {@code l} counts: always, unless the old layout is not drained yet
     * ({@code onlyAt} non-null), when only the copy at the row's place under {@code onlyAt} counts.
     */
    private static boolean counted(Manifest onlyAt, ShardLocation l, ResultSet rs) throws SQLException {
        if (onlyAt == null) {
            return true;
        }
        ShardKey key = ShardKey.of(rs.getLong(1), rs.getString(2));
        return onlyAt.locate(onlyAt.shardOf(key)).equals(l);
    }

    /**
     * One direct connection per data source for the length of an audit (a server backend's connection limit is
     * shared with the engine's pools, and opening one per schema would also be slow).
     */
    private final class Connections implements AutoCloseable {
        private final Map<String, Connection> open = new HashMap<>();

        Connection to(String dataSource) throws SQLException {
            Connection c = open.get(dataSource);
            if (c == null) {
                DataSourceConfig d = config.dataSource(dataSource);
                c = DriverManager.getConnection(d.url(), d.user(), d.password());
                open.put(dataSource, c);
            }
            return c;
        }

        @Override
        public void close() throws SQLException {
            for (Connection c : open.values()) {
                c.close();
            }
        }
    }
}
