package io.vshard.manifest;

/**
 * What stops a migration and what happens then.
 *
 * @param onDigestMismatch action when a cohort's digests differ
 * @param shardP95LatencyMillis a shard p95 latency above this trips the health trigger (0 = off)
 * @param errorRate an error rate (0..1) above this trips the health trigger (0 = off)
 * @param onHealthFailure action when the health trigger trips
 */
public record RollbackTriggers(
        Action onDigestMismatch, long shardP95LatencyMillis, double errorRate, Action onHealthFailure) {
    /** Defaults for a manifest that states none. */
    public static final RollbackTriggers DEFAULT = new RollbackTriggers(Action.ROLLBACK, 0, 0, Action.PAUSE);

    /** What a trigger does. */
    public enum Action {
        /** Stop moving cohorts; routing stays as it is. */
        PAUSE,
        /** Move the running cohort back and stop. */
        ROLLBACK;

        /** The manifest spelling. */
        public String manifestName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
