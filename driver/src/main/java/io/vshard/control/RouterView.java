package io.vshard.control;

import io.vshard.manifest.placement.RoutingState;
import java.time.Instant;

/**
 * What a router reads from the control store on each refresh: the routing state, the epoch it corresponds
 * to (acknowledged with the next heartbeat), the migration's state, and the store's clock for the skew check.
 *
 * @param routing the routing state the placement function resolves keys through
 * @param epoch the routing epoch
 * @param migration the live migration, or {@code null}
 * @param storeTime the store's time, shifted by the fleet clock offset (tests and demos run weeks in seconds)
 */
public record RouterView(RoutingState routing, long epoch, MigrationRecord migration, Instant storeTime) {

    /** Whether writes of ledger rows at or after the effective window are held (a ledger move is running). */
    public boolean ledgerHeld() {
        return migration != null && migration.ledgerHeld();
    }

    /** Whether the routing-metadata journal records writes at {@code now}. */
    public boolean journalOn(Instant now) {
        return routing.next() != null
                && routing.next().boundaryStart() != null
                && !now.isBefore(routing.next().boundaryStart());
    }
}
