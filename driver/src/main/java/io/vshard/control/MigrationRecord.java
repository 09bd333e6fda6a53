package io.vshard.control;

import java.time.Instant;

/**
 * A migration as the control store holds it.
 *
 * @param fromVersion the version being migrated from
 * @param toVersion the version being migrated to
 * @param state RUNNING, PAUSED, ROLLING_BACK, ROLLED_BACK, COMPLETE, DRAINING (the new version is active,
 *     the old copies are being deleted) or DRAINED
 * @param ledgerOnNext whether ledger rows at or after the effective window live under {@code toVersion}
 * @param ledgerHeld whether writes of those rows are held while they move
 * @param startedAt when the migration was first started
 * @param completedAt when every cohort became NEW in fleet time (see {@link MigrationStore#fleetTime()}), or
 *     {@code null}
 * @param lastError the last failure the migrator recorded, or {@code null}
 */
public record MigrationRecord(
        int fromVersion,
        int toVersion,
        String state,
        boolean ledgerOnNext,
        boolean ledgerHeld,
        Instant startedAt,
        Instant completedAt,
        String lastError) {
    public static final String RUNNING = "RUNNING";
    public static final String PAUSED = "PAUSED";
    public static final String ROLLING_BACK = "ROLLING_BACK";
    public static final String ROLLED_BACK = "ROLLED_BACK";
    public static final String COMPLETE = "COMPLETE";
    public static final String DRAINING = "DRAINING";
    public static final String DRAINED = "DRAINED";
}
