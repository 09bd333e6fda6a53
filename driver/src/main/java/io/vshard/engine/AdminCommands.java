package io.vshard.engine;

import io.vshard.control.ControlStore;
import io.vshard.engine.merge.ColumnInfo;
import io.vshard.engine.merge.ListSource;
import io.vshard.engine.merge.RowMetaData;
import io.vshard.engine.merge.RowResultSet;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.Manifest;
import io.vshard.sql.AdminCommand;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Answers the admin commands with ordinary result sets. */
final class AdminCommands {
    private AdminCommands() {}

    static ResultSet run(Engine engine, AdminCommand command) throws SQLException {
        return switch (command.kind()) {
            case SHOW_SHARD_VERSION -> version(engine);
            case SHOW_SHARD_MANIFESTS -> manifests(engine);
            case EXPLAIN_ROUTE -> RouteExplainer.explain(engine, command.argument());
            default ->
                throw VShardSQLException.of(
                        VShardState.NOT_YET_AVAILABLE,
                        null,
                        command.kind().name().replace('_', ' '));
        };
    }

    private static ResultSet version(Engine engine) throws SQLException {
        Manifest active = engine.routingState().active();
        Manifest next = engine.routingState().next();
        String hash = "";
        for (ControlStore.StoredManifest m : engine.controlStore().manifests()) {
            if (m.version() == active.version()) {
                hash = m.hash();
            }
        }
        Duration lease = engine.options().heartbeat().multipliedBy(3);
        int routers = engine.controlStore().liveRouters(lease).size();
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {active.version(), hash, next == null ? null : next.version(), routers});
        return new RowResultSet(
                new ListSource(rows),
                new RowMetaData(List.of(
                        ColumnInfo.computed("active_version", Types.INTEGER, "int4", Integer.class.getName()),
                        ColumnInfo.computed("manifest_hash", Types.VARCHAR, "text", String.class.getName()),
                        ColumnInfo.computed("next_version", Types.INTEGER, "int4", Integer.class.getName()),
                        ColumnInfo.computed("routers", Types.INTEGER, "int4", Integer.class.getName()))));
    }

    private static ResultSet manifests(Engine engine) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (ControlStore.StoredManifest m : engine.controlStore().manifests()) {
            Manifest parsed = m.manifest();
            rows.add(
                    new Object[] {m.version(), m.state(), m.hash(), parsed.shardCount(), Timestamp.from(m.publishedAt())
                    });
        }
        return new RowResultSet(
                new ListSource(rows),
                new RowMetaData(List.of(
                        ColumnInfo.computed("version", Types.INTEGER, "int4", Integer.class.getName()),
                        ColumnInfo.computed("state", Types.VARCHAR, "text", String.class.getName()),
                        ColumnInfo.computed("manifest_hash", Types.VARCHAR, "text", String.class.getName()),
                        ColumnInfo.computed("shards", Types.INTEGER, "int4", Integer.class.getName()),
                        ColumnInfo.computed("published_at", Types.TIMESTAMP, "timestamp", Timestamp.class.getName()))));
    }
}
