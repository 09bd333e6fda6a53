package io.vshard.engine;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The shard statements a session is running, for {@link Session#cancel()}. A session mostly runs one at a time,
 * so the first takes a slot of its own (one CAS, no set node made and dropped per statement); a fan-out's
 * further statements, added by its worker threads, go to a concurrent set. Thread safe.
 */
final class RunningStatements {
    private static final AtomicReferenceFieldUpdater<RunningStatements, Statement> FIRST =
            AtomicReferenceFieldUpdater.newUpdater(RunningStatements.class, Statement.class, "first");

    private volatile Statement first;
    private final Set<Statement> others = ConcurrentHashMap.newKeySet();

    void add(Statement st) {
        if (!FIRST.compareAndSet(this, null, st)) {
            others.add(st);
        }
    }

    void remove(Statement st) {
        if (!FIRST.compareAndSet(this, st, null)) {
            others.remove(st);
        }
    }

    /** Cancels every statement running now; one that finished meanwhile is skipped. */
    void cancelAll() {
        cancel(first);
        others.forEach(RunningStatements::cancel);
    }

    private static void cancel(Statement st) {
        if (st == null) {
            return;
        }
        try {
            st.cancel();
        } catch (SQLException e) {
            // The statement finished meanwhile.
        }
    }
}
