package io.vshard.engine;

import io.vshard.control.CohortRecord;
import io.vshard.control.ControlStore;
import io.vshard.control.RouterHealth;
import io.vshard.engine.merge.ColumnInfo;
import io.vshard.engine.merge.ListSource;
import io.vshard.engine.merge.RowMetaData;
import io.vshard.engine.merge.RowResultSet;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.migrate.MigrationListener;
import io.vshard.migrate.MigrationStatus;
import io.vshard.sql.AdminCommand;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Answers the admin commands with ordinary result sets. */
final class AdminCommands {
    private AdminCommands() {}

    static ResultSet run(Engine engine, AdminCommand command) throws SQLException {
        return switch (command.kind()) {
            case SHOW_SHARD_VERSION -> version(engine);
            case SHOW_SHARD_MANIFESTS -> manifests(engine);
            case EXPLAIN_ROUTE -> RouteExplainer.explain(engine, command.argument());
            case PUBLISH_MANIFEST -> published(engine.migrationControl().publish(resolve(engine, command.argument())));
            case START_MIGRATION -> {
                MigrationStatus s = engine.migrationControl().start();
                engine.migrationControl().startMigrator(MigrationListener.NONE);
                yield status(s);
            }
            case PAUSE_MIGRATION -> status(engine.migrationControl().pause());
            case RESUME_MIGRATION -> {
                MigrationStatus s = engine.migrationControl().resume();
                engine.migrationControl().startMigrator(MigrationListener.NONE);
                yield status(s);
            }
            case ROLLBACK_MIGRATION -> {
                MigrationStatus s = engine.migrationControl().rollback();
                engine.migrationControl().startMigrator(MigrationListener.NONE);
                yield status(s);
            }
            case SHOW_MIGRATION_STATUS -> status(engine.migrationControl().status());
            case SHOW_COHORTS -> cohorts(engine, command.argument());
            case SHOW_SHARD_HEALTH -> health(engine);
            case VERIFY_COHORT -> verify(engine, command.argument());
            default ->
                throw VShardSQLException.of(
                        VShardState.NOT_YET_AVAILABLE,
                        null,
                        command.kind().name().replace('_', ' '));
        };
    }

    private static java.nio.file.Path resolve(Engine engine, String path) {
        java.nio.file.Path p = java.nio.file.Path.of(path);
        if (!p.isAbsolute() && engine.config().file() != null) {
            java.nio.file.Path base = engine.config().file().toAbsolutePath().getParent();
            if (base != null && !java.nio.file.Files.exists(p)) {
                return base.resolve(p);
            }
        }
        return p;
    }

    private static ResultSet published(Manifest m) {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {m.version(), "PUBLISHED"});
        return table(rows, "version", Types.INTEGER, "state", Types.VARCHAR);
    }

    private static ResultSet status(MigrationStatus s) {
        List<Object[]> rows = new ArrayList<>();
        StringBuilder cohorts = new StringBuilder();
        s.cohortsByState().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> cohorts.append(cohorts.length() == 0 ? "" : ", ")
                        .append(e.getKey())
                        .append('=')
                        .append(e.getValue()));
        rows.add(new Object[] {
            s.state(),
            s.fromVersion(),
            s.toVersion(),
            cohorts.toString(),
            String.format(Locale.ROOT, "%.1f", 100 - s.rowsOnNewPercent()),
            String.format(Locale.ROOT, "%.1f", s.rowsOnNewPercent()),
            String.format(Locale.ROOT, "%.1f", s.cohortsOnNewPercent()),
            s.checksPassed(),
            s.checksFailed(),
            s.rowsCopied(),
            String.format(Locale.ROOT, "%.0f", s.rowsPerSecond()),
            s.etaSeconds(),
            s.lastError()
        });
        return table(
                rows,
                "state",
                Types.VARCHAR,
                "from_version",
                Types.INTEGER,
                "to_version",
                Types.INTEGER,
                "cohorts",
                Types.VARCHAR,
                "rows_on_old_pct",
                Types.VARCHAR,
                "rows_on_new_pct",
                Types.VARCHAR,
                "cohorts_on_new_pct",
                Types.VARCHAR,
                "digest_checks_passed",
                Types.BIGINT,
                "digest_checks_failed",
                Types.BIGINT,
                "rows_copied",
                Types.BIGINT,
                "rows_per_second",
                Types.VARCHAR,
                "eta_seconds",
                Types.BIGINT,
                "last_error",
                Types.VARCHAR);
    }

    private static ResultSet cohorts(Engine engine, String filter) throws SQLException {
        CohortState only = null;
        if (filter != null) {
            try {
                only = CohortState.valueOf(filter.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw VShardSQLException.of(VShardState.INVALID_SHARD_KEY, e, "no cohort state '" + filter + "'");
            }
        }
        List<Object[]> rows = new ArrayList<>();
        for (CohortRecord c : engine.migrationControl().cohorts(only)) {
            rows.add(new Object[] {
                c.cohort().id(),
                c.cohort().oldShard(),
                c.cohort().firstCreator(),
                c.cohort().lastCreator(),
                c.cohort().plannedRows(),
                c.state().name(),
                c.epoch(),
                c.rowsCopied(),
                c.checksPassed(),
                c.checksFailed(),
                c.lastError()
            });
        }
        return table(
                rows,
                "cohort",
                Types.INTEGER,
                "old_shard",
                Types.INTEGER,
                "first_creator",
                Types.BIGINT,
                "last_creator",
                Types.BIGINT,
                "planned_rows",
                Types.BIGINT,
                "state",
                Types.VARCHAR,
                "epoch",
                Types.BIGINT,
                "rows_copied",
                Types.BIGINT,
                "checks_passed",
                Types.INTEGER,
                "checks_failed",
                Types.INTEGER,
                "last_error",
                Types.VARCHAR);
    }

    private static ResultSet verify(Engine engine, String cohort) throws SQLException {
        int id;
        try {
            id = Integer.parseInt(cohort.trim());
        } catch (NumberFormatException e) {
            throw VShardSQLException.of(VShardState.SYNTAX_ERROR, e, "VERIFY COHORT needs a cohort number");
        }
        String failure = engine.migrationControl().verify(id);
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {id, failure == null, failure});
        return table(rows, "cohort", Types.INTEGER, "digests_equal", Types.BOOLEAN, "difference", Types.VARCHAR);
    }

    /** A result set from rows and (name, java.sql.Types) pairs. */
    private static ResultSet table(List<Object[]> rows, Object... columns) {
        List<ColumnInfo> infos = new ArrayList<>();
        for (int i = 0; i < columns.length; i += 2) {
            int type = (Integer) columns[i + 1];
            String name = (String) columns[i];
            infos.add(
                    switch (type) {
                        case Types.INTEGER -> ColumnInfo.computed(name, type, "int4", Integer.class.getName());
                        case Types.BIGINT -> ColumnInfo.computed(name, type, "int8", Long.class.getName());
                        case Types.BOOLEAN -> ColumnInfo.computed(name, type, "bool", Boolean.class.getName());
                        case Types.DOUBLE -> ColumnInfo.computed(name, type, "float8", Double.class.getName());
                        case Types.TIMESTAMP -> ColumnInfo.computed(name, type, "timestamp", Timestamp.class.getName());
                        default -> ColumnInfo.computed(name, Types.VARCHAR, "text", String.class.getName());
                    });
        }
        return new RowResultSet(new ListSource(rows), new RowMetaData(infos));
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

    /**
     * One row per live router: the worst data source's p95 latency and error rate it measured over its last
     * heartbeat period, against the health triggers of the manifest being migrated to (the active one's when none
     * is), with the verdict the migrator draws from them.
     */
    private static ResultSet health(Engine engine) throws SQLException {
        Manifest governing = engine.routingState().next() != null
                ? engine.routingState().next()
                : engine.routingState().active();
        RollbackTriggers t = governing.rollbackTriggers();
        List<Object[]> rows = new ArrayList<>();
        for (ControlStore.Router r :
                engine.controlStore().liveRouters(engine.options().lease())) {
            RouterHealth h = r.health();
            String breach = h.breach(t);
            String verdict = breach != null
                    ? "over trigger: " + breach
                    : h.crowds(t) ? "past half the p95 trigger: one cohort moves at a time" : "ok";
            rows.add(new Object[] {
                r.id(),
                r.kind(),
                r.host(),
                Timestamp.from(r.heartbeatAt()),
                r.viewEpoch(),
                h.worstP95Millis(),
                h.worstErrorRate(),
                h.detail(),
                t.shardP95LatencyMillis() > 0 ? t.shardP95LatencyMillis() : null,
                t.errorRate() > 0 ? t.errorRate() : null,
                verdict
            });
        }
        return table(
                rows,
                "router_id",
                Types.VARCHAR,
                "kind",
                Types.VARCHAR,
                "host",
                Types.VARCHAR,
                "heartbeat_at",
                Types.TIMESTAMP,
                "view_epoch",
                Types.BIGINT,
                "p95_ms",
                Types.BIGINT,
                "error_rate",
                Types.DOUBLE,
                "worst_data_source",
                Types.VARCHAR,
                "trigger_p95_ms",
                Types.BIGINT,
                "trigger_error_rate",
                Types.DOUBLE,
                "verdict",
                Types.VARCHAR);
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
