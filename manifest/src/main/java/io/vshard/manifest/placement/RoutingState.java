package io.vshard.manifest.placement;

import io.vshard.manifest.Manifest;

/**
 * A router's view of the layout: the active manifest, the next one while a migration runs, and the cohort
 * states. Immutable.
 *
 * @param active the version that serves every row not yet moved
 * @param next the version being migrated to, or {@code null} when no migration is live
 * @param cohorts the cohort states of the migration to {@code next}
 * @param ledgerOnNext whether ledger rows at or after {@code next}'s effective window live under {@code next}
 *     (true from publication; false once a rollback of the whole migration has moved them back)
 */
public record RoutingState(Manifest active, Manifest next, CohortMap cohorts, boolean ledgerOnNext) {

    /** A state with one live version. */
    public static RoutingState stable(Manifest active) {
        return new RoutingState(active, null, CohortMap.EMPTY, false);
    }

    /** A state migrating from {@code active} to {@code next}. */
    public static RoutingState migrating(Manifest active, Manifest next, CohortMap cohorts) {
        return new RoutingState(active, next, cohorts, true);
    }
}
