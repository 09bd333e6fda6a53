package io.vshard.control;

import io.vshard.manifest.RollbackTriggers;

/**
 * The shard health one router measured over its last heartbeat period: what the manifest's health triggers
 * compare against.
 *
 * @param worstP95Millis the highest per-shard p95 statement latency, in milliseconds
 * @param worstErrorRate the highest per-shard error rate, 0..1
 * @param detail the shard these came from, for status messages (may be empty)
 */
public record RouterHealth(long worstP95Millis, double worstErrorRate, String detail) {
    /** Nothing measured. */
    public static final RouterHealth NONE = new RouterHealth(0, 0, "");

    public RouterHealth {
        detail = detail == null ? "" : detail;
    }

    /**
     * What in this health trips {@code triggers} (the p95 latency first, then the error rate), worded for a status
     * line, or {@code null} when nothing does. The migrator acts on it; {@code SHOW SHARD HEALTH} shows it.
     */
    public String breach(RollbackTriggers triggers) {
        if (triggers.shardP95LatencyMillis() > 0 && worstP95Millis > triggers.shardP95LatencyMillis()) {
            return "measured p95 " + worstP95Millis + " ms on " + detail + " (trigger "
                    + triggers.shardP95LatencyMillis() + " ms)";
        }
        if (triggers.errorRate() > 0 && worstErrorRate > triggers.errorRate()) {
            return "measured error rate " + worstErrorRate + " on " + detail + " (trigger " + triggers.errorRate()
                    + ")";
        }
        return null;
    }

    /** Whether the p95 latency is past half its trigger, where the migrator moves one cohort at a time. */
    public boolean crowds(RollbackTriggers triggers) {
        return triggers.shardP95LatencyMillis() > 0 && worstP95Millis * 2 > triggers.shardP95LatencyMillis();
    }
}
