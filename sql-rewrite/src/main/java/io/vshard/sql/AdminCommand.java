package io.vshard.sql;

/**
 * A parsed vshard admin command.
 *
 * @param kind which command
 * @param argument the command's argument: the manifest path for PUBLISH MANIFEST, the state filter for SHOW
 *     COHORTS, the cohort number for VERIFY COHORT, the statement for EXPLAIN ROUTE; else {@code null}
 */
public record AdminCommand(Kind kind, String argument) {

    /** Whether the command changes state (and needs the admin role). */
    public boolean changesState() {
        return kind.changesState;
    }

    /** The admin commands. */
    public enum Kind {
        SHOW_SHARD_VERSION(false),
        SHOW_SHARD_MANIFESTS(false),
        SHOW_MIGRATION_STATUS(false),
        SHOW_COHORTS(false),
        SHOW_SHARD_HEALTH(false),
        EXPLAIN_ROUTE(false),
        PUBLISH_MANIFEST(true),
        START_MIGRATION(true),
        PAUSE_MIGRATION(true),
        RESUME_MIGRATION(true),
        ROLLBACK_MIGRATION(true),
        VERIFY_COHORT(false);

        private final boolean changesState;

        Kind(boolean changesState) {
            this.changesState = changesState;
        }
    }
}
