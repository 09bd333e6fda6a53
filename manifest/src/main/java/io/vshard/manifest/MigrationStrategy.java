package io.vshard.manifest;

/**
 * How the migrator moves cohorts to this manifest's layout.
 *
 * @param cohortTargetRows rows a cohort is planned to hold
 * @param testCohortRows rows of the first (test) cohort
 * @param batchRows rows per copy batch
 */
public record MigrationStrategy(long cohortTargetRows, long testCohortRows, int batchRows) {
    /** Defaults for a manifest that states none. */
    public static final MigrationStrategy DEFAULT = new MigrationStrategy(50_000, 1_000, 1_000);
}
