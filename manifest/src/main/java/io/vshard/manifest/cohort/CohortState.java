package io.vshard.manifest.cohort;

/**
 * Where a cohort stands in the move protocol. The state says which version serves the cohort's rows and
 * whether writes to it are held back.
 */
public enum CohortState {
    /** Not started: rows live under the old version. */
    PLANNED(false, false),
    /** Being copied (and caught up from the journal); rows still live under the old version. */
    COPYING(false, false),
    /** Writes held while the final delta is copied and digests compared; rows live under the old version. */
    FENCED(false, true),
    /** Moved and proved: rows live under the new version. */
    NEW(true, false),
    /** Being copied back during a rollback; rows still live under the new version. */
    REVERTING(true, false),
    /** Writes held while the final delta of a rollback is copied back and proved. */
    REVERT_FENCED(true, true);

    private final boolean servedByNew;
    private final boolean writesHeld;

    CohortState(boolean servedByNew, boolean writesHeld) {
        this.servedByNew = servedByNew;
        this.writesHeld = writesHeld;
    }

    /** Whether the cohort's (non-ledger-window) rows live under the new version. */
    public boolean servedByNew() {
        return servedByNew;
    }

    /** Whether writes to the cohort must wait or fail retryably. */
    public boolean writesHeld() {
        return writesHeld;
    }
}
