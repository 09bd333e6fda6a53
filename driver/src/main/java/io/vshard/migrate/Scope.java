package io.vshard.migrate;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.RoutingState;

/**
 * What one move covers: the routing state rows are placed by before it ({@code from}) and after it
 * ({@code to}), and which rows belong to it. A cohort moving forward, a cohort moving back, and the ledger
 * rows of the effective window are the three scopes. Where each row is and goes is always decided by the
 * placement function under {@code from} and {@code to}.
 */
interface Scope {
    RoutingState from();

    RoutingState to();

    /** Whether a row whose placement under {@code from} is {@code before} belongs to this move. */
    boolean covers(TableRule table, TableRows.Row row, Place before);

    /** For messages: what moves. */
    String describe();

    /** A cohort's rows (forward or back). */
    record Cohort(RoutingState from, RoutingState to, io.vshard.manifest.cohort.Cohort cohort) implements Scope {
        @Override
        public boolean covers(TableRule table, TableRows.Row row, Place before) {
            return before.cohortId() == cohort.id();
        }

        @Override
        public String describe() {
            return "cohort " + cohort.id() + " (old shard " + cohort.oldShard() + ", creators " + cohort.firstCreator()
                    + ".." + cohort.lastCreator() + ")";
        }
    }

    /** The ledger rows at or after the effective window. */
    record Ledger(RoutingState from, RoutingState to) implements Scope {
        @Override
        public boolean covers(TableRule table, TableRows.Row row, Place before) {
            return table.windowed()
                    && row.window() != null
                    && row.window().compareTo(to.next().effectiveWindow()) >= 0;
        }

        @Override
        public String describe() {
            return "ledger rows from window " + to.next().effectiveWindow();
        }
    }
}
