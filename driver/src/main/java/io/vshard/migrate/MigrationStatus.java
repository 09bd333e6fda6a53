package io.vshard.migrate;

import java.util.Map;

/**
 * A snapshot of the migration for SHOW MIGRATION STATUS and {@code vshard migrate status}.
 *
 * @param fromVersion the version migrated from (0 when none)
 * @param toVersion the version migrated to (0 when none)
 * @param state the migration state, or {@code NONE}
 * @param cohortsByState cohort counts per state, in state order
 * @param cohortsOnNewPercent the share of cohorts served by the new version
 * @param rowsOnNewPercent the share of planned rows served by the new version
 * @param checksPassed digest checks that matched
 * @param checksFailed digest checks that did not
 * @param rowsCopied rows copied so far
 * @param rowsPerSecond rows copied per second since the start
 * @param etaSeconds estimated seconds to completion, or -1 when unknown
 * @param lastError the last failure recorded, or {@code null}
 */
public record MigrationStatus(
        int fromVersion,
        int toVersion,
        String state,
        Map<String, Integer> cohortsByState,
        double cohortsOnNewPercent,
        double rowsOnNewPercent,
        long checksPassed,
        long checksFailed,
        long rowsCopied,
        double rowsPerSecond,
        long etaSeconds,
        String lastError) {
    public MigrationStatus {
        cohortsByState = Map.copyOf(cohortsByState);
    }
}
