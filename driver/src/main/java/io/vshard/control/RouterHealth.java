package io.vshard.control;

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
}
