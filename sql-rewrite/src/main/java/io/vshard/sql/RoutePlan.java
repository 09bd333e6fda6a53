package io.vshard.sql;

import java.util.List;

/**
 * What the engine must do to run one statement, as decided by {@link SqlRouter}. The engine executes a plan
 * without re-deriving any route: every shard in a plan was chosen by the placement function.
 */
public sealed interface RoutePlan
        permits RoutePlan.Sharded,
                RoutePlan.DefaultShard,
                RoutePlan.EveryShard,
                RoutePlan.GuardedUpdate,
                RoutePlan.Transaction,
                RoutePlan.Session,
                RoutePlan.Admin {

    /** Whether the statement writes (INSERT, UPDATE, DELETE, MERGE, DDL). */
    boolean writes();

    /**
     * A statement on sharded tables: one shard (the original text, unchanged) or several (fan-out, merged as
     * {@link #merge()} says).
     *
     * @param statements what runs where; one entry per target shard, at least one
     * @param merge how to merge the results of a fan-out read; {@link Merge#NONE} for one shard or a write
     * @param writes whether it writes
     * @param writesHeld whether a target cohort is fenced: the engine waits (bounded) or fails with 40001
     */
    record Sharded(List<ShardStatement> statements, Merge merge, boolean writes, boolean writesHeld)
            implements RoutePlan {
        public Sharded {
            statements = List.copyOf(statements);
        }
    }

    /**
     * A statement that touches no sharded or broadcast table (catalog queries, unsharded tables, statements
     * vshard cannot parse but that name no sharded table): it runs unchanged on the default shard.
     *
     * @param sql the text
     * @param parameters the parameters
     * @param writes whether it writes
     */
    record DefaultShard(String sql, List<Object> parameters, boolean writes) implements RoutePlan {
        public DefaultShard {
            // SQL NULL parameters are null elements, which List.copyOf refuses.
            parameters = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(parameters));
        }
    }

    /**
     * DDL and writes to broadcast tables: the same text on every shard of every live version (and the
     * default shard), atomically.
     *
     * @param sql the text
     * @param parameters the parameters
     * @param ddl whether it is DDL
     */
    record EveryShard(String sql, List<Object> parameters, boolean ddl) implements RoutePlan {
        public EveryShard {
            // SQL NULL parameters are null elements, which List.copyOf refuses.
            parameters = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(parameters));
        }

        @Override
        public boolean writes() {
            return true;
        }
    }

    /**
     * An ORM-style UPDATE that sets the shard key while filtering on the primary key only. The guarded
     * statement (the key added to its WHERE) runs on the shard of the key it sets; if it changes no row, the
     * existence checks (one per other candidate shard, a {@code SELECT 1 ... WHERE pk = ?}) tell "no such
     * row" (0 rows, as the ORM expects) from a move between shards, which is refused with 0A000.
     *
     * @param guarded the guarded update on the target shard
     * @param existenceChecks the checks on the other shards
     */
    record GuardedUpdate(ShardStatement guarded, List<ShardStatement> existenceChecks) implements RoutePlan {
        public GuardedUpdate {
            existenceChecks = List.copyOf(existenceChecks);
        }

        @Override
        public boolean writes() {
            return true;
        }
    }

    /**
     * Transaction control.
     *
     * @param kind what it does
     * @param sql the original text (carries isolation level, savepoint names, ...)
     */
    record Transaction(TransactionKind kind, String sql) implements RoutePlan {
        @Override
        public boolean writes() {
            return false;
        }
    }

    /**
     * A session statement ({@code SET}, {@code SHOW}, {@code RESET}, {@code USE}, ...): runs on the default
     * shard; {@code SET}-like statements are remembered so the session survives backend pooling.
     *
     * @param sql the text
     * @param changesSession whether it changes session state (and must be replayed on other backends)
     */
    record Session(String sql, boolean changesSession) implements RoutePlan {
        @Override
        public boolean writes() {
            return false;
        }
    }

    /**
     * A vshard admin command.
     *
     * @param command the parsed command
     */
    record Admin(AdminCommand command) implements RoutePlan {
        @Override
        public boolean writes() {
            return command.changesState();
        }
    }

    /** Kinds of transaction control. */
    enum TransactionKind {
        BEGIN,
        COMMIT,
        ROLLBACK,
        SAVEPOINT,
        RELEASE_SAVEPOINT,
        ROLLBACK_TO_SAVEPOINT,
        /** {@code SET TRANSACTION ...} and similar: applies to the current or next transaction. */
        CHARACTERISTICS
    }
}
