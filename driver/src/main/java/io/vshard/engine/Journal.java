package io.vshard.engine;

import io.vshard.config.Dialect;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.TouchedKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The routing-metadata journal: from the boundary window until the old layout is drained, every write through
 * vshard also records (table, creator, region, window, version, at) in {@value #TABLE} in the shard schema it
 * wrote to, in the same local transaction. Data goes to one place; only this metadata is dual-written. The
 * migrator reads it as its change capture and the rollback reads it as its map back.
 */
public final class Journal {
    /** The journal table's name in every shard schema. */
    public static final String TABLE = "vshard_journal";

    private Journal() {}

    /** The DDL of the journal table for a dialect. */
    public static String ddl(Dialect dialect) {
        String id =
                switch (dialect) {
                    case POSTGRESQL -> "BIGSERIAL PRIMARY KEY";
                    case MYSQL, H2 -> "BIGINT AUTO_INCREMENT PRIMARY KEY";
                };
        String ts = dialect == Dialect.MYSQL ? "DATETIME(6)" : "TIMESTAMP";
        return "CREATE TABLE IF NOT EXISTS " + TABLE + " (id " + id + ", table_name VARCHAR(128) NOT NULL,"
                + " creator_id BIGINT NOT NULL, region VARCHAR(32), window_id VARCHAR(16), version INT NOT NULL,"
                + " at " + ts + " NOT NULL)";
    }

    /** Creates the journal table in every location of {@code shards}, each once. */
    static void create(Engine engine, List<LogicalShard> shards) throws SQLException {
        Set<ShardLocation> all = new LinkedHashSet<>();
        for (LogicalShard s : shards) {
            all.add(s.location());
        }
        // A newly published version may place shards in schemas nothing created yet.
        for (int attempt = 0; ; attempt++) {
            try {
                engine.dataSources().createSchemas(all);
                break;
            } catch (SQLException e) {
                // Routers refreshing together race on CREATE SCHEMA IF NOT EXISTS; the loser retries.
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
        Set<ShardLocation> seen = new LinkedHashSet<>();
        for (LogicalShard s : shards) {
            if (!seen.add(s.location())) {
                continue;
            }
            DataSourcePool pool = engine.dataSources().pool(s.location().dataSource());
            try (Lease lease = Lease.acquire(pool, ShardRunner.describe(s))) {
                lease.use(s.location());
                for (int attempt = 0; ; attempt++) {
                    try (Statement st = lease.connection().createStatement()) {
                        st.execute(ddl(pool.dialect()));
                        break;
                    } catch (SQLException e) {
                        // Routers starting together race on CREATE TABLE IF NOT EXISTS; the loser retries.
                        if (attempt >= 2) {
                            throw ShardErrors.translate(e, ShardRunner.describe(s));
                        }
                    }
                }
            }
        }
    }

    /** Records the keys {@code s} touched, on the connection (and in the transaction) that ran it. */
    static void record(Connection c, ShardStatement s, Instant at) throws SQLException {
        if (s.touchedKeys().isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
                + " (table_name, creator_id, region, window_id, version, at) VALUES (?, ?, ?, ?, ?, ?)")) {
            Timestamp ts = Timestamp.from(at);
            for (TouchedKey k : s.touchedKeys()) {
                ps.setString(1, k.table());
                ps.setLong(2, k.creatorId());
                ps.setString(3, k.region());
                ps.setString(4, k.window() == null ? null : k.window().toString());
                ps.setInt(5, s.shard().version());
                ps.setTimestamp(6, ts);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
