package io.vshard.demo;

import io.vshard.control.CohortRecord;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.migrate.MigrationStatus;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows, kept up to date by the demo's story thread and read as JSON by the dashboard's
 * polling ({@code GET /api/state}). Thread safe: writers and the HTTP thread synchronize on this object.
 */
public final class DemoState {
    private final ShardMeter meter;
    private final Deque<String> log = new ArrayDeque<>();
    private int step;
    private String phase = "starting";
    private RoutingState routing;
    private Map<Integer, long[]> creators = Map.of();
    private MigrationStatus migration;
    private List<CohortRecord> cohorts = List.of();
    private String report;

    DemoState(ShardMeter meter) {
        this.meter = meter;
    }

    synchronized void phase(int step, String phase) {
        this.step = step;
        this.phase = phase;
        note(phase);
    }

    synchronized void note(String line) {
        log.addLast(line);
        while (log.size() > 14) {
            log.removeFirst();
        }
    }

    synchronized void routing(RoutingState r) {
        this.routing = r;
    }

    synchronized void creators(int version, long[] perShard) {
        Map<Integer, long[]> m = new java.util.TreeMap<>(creators);
        m.put(version, perShard.clone());
        creators = m;
    }

    synchronized void migration(MigrationStatus s, List<CohortRecord> c) {
        this.migration = s;
        this.cohorts = List.copyOf(c);
    }

    synchronized void report(String json) {
        this.report = json;
    }

    /** The state as one JSON object. */
    public synchronized String json() {
        JsonText j = new JsonText().begin().field("step", step).field("phase", phase);
        j.key("log").beginArray();
        log.forEach(j::value);
        j.endArray();
        Map<Long, ShardMeter.Reading> readings = meter.readings();
        j.key("versions").beginArray();
        if (routing != null) {
            version(j, routing.active(), "active", readings);
            if (routing.next() != null) {
                version(j, routing.next(), "next", readings);
            }
        }
        j.endArray();
        if (migration != null) {
            j.key("migration")
                    .begin()
                    .field("state", migration.state())
                    .field("from", migration.fromVersion())
                    .field("to", migration.toVersion())
                    .field("rows_on_new_percent", migration.rowsOnNewPercent())
                    .field("rows_copied", migration.rowsCopied())
                    .field("rows_per_second", migration.rowsPerSecond())
                    .field("digest_checks", migration.checksPassed())
                    .field("digest_mismatches", migration.checksFailed())
                    .field("eta_seconds", migration.etaSeconds())
                    .field("progress", ProgressRenderer.line(migration));
            j.key("cohorts").beginArray();
            for (CohortRecord c : cohorts) {
                j.begin()
                        .field("id", c.cohort().id())
                        .field("old_shard", c.cohort().oldShard())
                        .field("state", c.state().name())
                        .field("test", c.cohort().test())
                        .end();
            }
            j.endArray().end();
        }
        if (report != null) {
            j.key("report").rawValue(report);
        }
        return j.end().toString();
    }

    private void version(JsonText j, Manifest m, String role, Map<Long, ShardMeter.Reading> readings) {
        long[] c = creators.get(m.version());
        j.begin()
                .field("version", m.version())
                .field("role", role)
                .field("function", m.shardFunction().describe())
                .field("shards", m.shardCount());
        j.key("cells").beginArray();
        for (int s = 0; s < m.shardCount(); s++) {
            ShardMeter.Reading r = readings.get(ShardMeter.key(m.version(), s));
            j.begin()
                    .field("shard", s)
                    .field("ops_per_second", r == null ? 0 : r.opsPerSecond())
                    .field("writes_per_second", r == null ? 0 : r.writesPerSecond())
                    .field("latency_ms", r == null ? 0 : r.meanLatencyMillis())
                    .field("creators", c == null ? -1 : c[s])
                    .end();
        }
        j.endArray().end();
    }
}
