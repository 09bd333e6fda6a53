package io.vshard.migrate;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.RoutingState;
import java.util.List;

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

    /** Whether the rows of cohort {@code cohortId} move in this scope (none do in the ledger's). */
    default boolean moves(int cohortId) {
        return false;
    }

    /** A cohort's rows (forward or back). */
    record Cohort(RoutingState from, RoutingState to, io.vshard.manifest.cohort.Cohort cohort) implements Scope {
        @Override
        public boolean covers(TableRule table, TableRows.Row row, Place before) {
            return before.cohortId() == cohort.id();
        }

        @Override
        public boolean moves(int cohortId) {
            return cohortId == cohort.id();
        }

        @Override
        public String describe() {
            return "cohort " + cohort.id() + " (old shard " + cohort.oldShard() + ", creators " + cohort.firstCreator()
                    + ".." + cohort.lastCreator() + ")";
        }
    }

    /**
     * The rows of several cohorts copied forward in one pass: {@code from} has every one of them COPYING and
     * {@code to} every one NEW. A row's placement depends only on its own cohort's state, so each row is placed
     * exactly as under its cohort's own scope; the pass only shares the reads, writes and round trips.
     */
    record Group(RoutingState from, RoutingState to, List<io.vshard.manifest.cohort.Cohort> cohorts) implements Scope {
        public Group {
            cohorts = List.copyOf(cohorts);
        }

        @Override
        public boolean covers(TableRule table, TableRows.Row row, Place before) {
            return moves(before.cohortId());
        }

        @Override
        public boolean moves(int cohortId) {
            for (io.vshard.manifest.cohort.Cohort k : cohorts) {
                if (k.id() == cohortId) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String describe() {
            StringBuilder ids = new StringBuilder();
            for (io.vshard.manifest.cohort.Cohort k : cohorts) {
                ids.append(ids.length() == 0 ? "" : ", ").append(k.id());
            }
            return "cohorts " + ids;
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
