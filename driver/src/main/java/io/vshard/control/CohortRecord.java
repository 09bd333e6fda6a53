package io.vshard.control;

import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import java.time.Instant;

/**
 * A cohort with its progress as the control store holds it.
 *
 * @param cohort the planned cohort
 * @param state its state
 * @param epoch the routing epoch of its last state change
 * @param effectiveAt when that change took effect
 * @param rowsCopied rows copied so far (all passes)
 * @param digestOld the last cohort digest on the old side, or {@code null}
 * @param digestNew the last cohort digest on the new side, or {@code null}
 * @param checksPassed digest checks that matched
 * @param checksFailed digest checks that did not
 * @param lastError the last failure, naming table and key range, or {@code null}
 * @param marks the journal marks the migrator resumes from ({@code location=id;...}), or empty
 */
public record CohortRecord(
        Cohort cohort,
        CohortState state,
        long epoch,
        Instant effectiveAt,
        long rowsCopied,
        String digestOld,
        String digestNew,
        int checksPassed,
        int checksFailed,
        String lastError,
        String marks) {}
