package io.vshard.migrate;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * One failed migrator step, as the operator reads it: which cohort (0 for a step of no single cohort, such as
 * the ledger move or the drain), which step of the protocol, the SQLSTATE and the message, and whether the
 * failure is transient (worth retrying as it is) or deterministic (the same every time until someone fixes
 * its cause).
 *
 * @param cohort the cohort whose move failed, or 0
 * @param step the protocol step that failed (copy, catch-up, digest, fence, final delta, flip, ...)
 * @param sqlState the SQLSTATE of the failure, {@code XX000} when there was none
 * @param message the failure's message
 * @param transientFailure whether retrying the same step may succeed without anyone changing anything
 */
public record StepFailure(int cohort, String step, String sqlState, String message, boolean transientFailure) {
    /**
     * SQLSTATEs worth retrying as they are: serialization failure, deadlock, lock not available, query cancelled
     * (a statement timeout), the server shutting down or refusing connections for now, too many connections.
     * Every connection exception (class 08) too.
     */
    private static final Set<String> TRANSIENT =
            Set.of("40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300");

    /** MySQL/MariaDB vendor codes worth retrying: lock wait timeout, deadlock. */
    private static final Set<Integer> TRANSIENT_MYSQL = Set.of(1205, 1213);

    /** Classifies {@code e}, thrown by {@code step} of {@code cohort} (0 for none). */
    public static StepFailure of(Throwable e, int cohort, String step) {
        if (e instanceof CohortFailure f) {
            cohort = f.cohort();
            step = f.step();
            e = f.getCause() == null ? f : f.getCause();
        }
        SQLException sql = null;
        boolean io = false;
        boolean transientType = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                transientType = true;
            }
            io |= t instanceof IOException;
            if (sql == null && t instanceof SQLException s && s.getSQLState() != null) {
                sql = s;
            }
        }
        String state = sql == null ? "XX000" : sql.getSQLState();
        boolean retry = transientType
                || io
                || state.startsWith("08")
                || TRANSIENT.contains(state)
                || (sql != null && TRANSIENT_MYSQL.contains(sql.getErrorCode()));
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        return new StepFailure(cohort, step, state, firstLine(message), retry);
    }

    /** What makes two failures "the same way": cohort, step and SQLSTATE (messages may name varying rows). */
    String signature() {
        return cohort + "/" + step + "/" + sqlState;
    }

    /** Where and how it failed: {@code cohort 12, step copy, SQLSTATE 23514: <message>}. */
    public String describe() {
        return (cohort > 0 ? "cohort " + cohort + ", " : "") + "step " + step + ", SQLSTATE " + sqlState + ": "
                + message;
    }

    /** The status text while the migrator retries it ({@code attempt} consecutive failures so far). */
    String retrying(int attempt, long backoffMillis) {
        return "retrying (" + (transientFailure ? "transient" : "same failure " + attempt + " times") + ", next in "
                + backoffMillis + " ms): " + describe();
    }

    /** The status text of the migration paused on this failure after {@code times} consecutive attempts. */
    String paused(int times) {
        return "paused after the same failure " + times + " times in a row: " + describe()
                + ". Fix the cause, then RESUME MIGRATION (./vshard migrate resume) to retry the step,"
                + " or ROLLBACK MIGRATION (./vshard migrate rollback)";
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
