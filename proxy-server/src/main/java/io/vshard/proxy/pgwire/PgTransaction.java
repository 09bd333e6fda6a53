package io.vshard.proxy.pgwire;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The transaction block of one session, tracked as PostgreSQL's I/T/E status and mapped onto standard JDBC:
 * BEGIN is {@code setAutoCommit(false)} (plus {@code SET TRANSACTION} for modifiers), COMMIT and ROLLBACK are
 * {@code commit()} and {@code rollback()}. In a failed block only COMMIT (which rolls back), ROLLBACK and
 * ROLLBACK TO SAVEPOINT are accepted, as in PostgreSQL. Confined to the session's current worker thread.
 */
final class PgTransaction {

    private static final Pattern BEGIN_MODIFIERS =
            Pattern.compile("(?is)^\\s*(?:BEGIN(?:\\s+(?:WORK|TRANSACTION))?|START\\s+TRANSACTION)\\s*(.*?)[\\s;]*$");

    private final Connection connection;
    private final Consumer<SQLWarning> notices;
    private byte status = 'I';

    PgTransaction(Connection connection, Consumer<SQLWarning> notices) {
        this.connection = connection;
        this.notices = notices;
    }

    /** 'I' idle, 'T' in a transaction block, 'E' in a failed one. */
    byte status() {
        return status;
    }

    /** Runs BEGIN, COMMIT or ROLLBACK and returns its CommandComplete tag. */
    String control(CommandTag tag, String sql) throws SQLException {
        switch (tag.kind()) {
            case BEGIN:
                if (status != 'I') {
                    notice("25001", "there is already a transaction in progress");
                    return "START".equals(tag.verb()) ? "START TRANSACTION" : "BEGIN";
                }
                connection.setAutoCommit(false);
                status = 'T';
                applyModifiers(sql);
                return "START".equals(tag.verb()) ? "START TRANSACTION" : "BEGIN";
            case COMMIT:
                if (status == 'I') {
                    notice("25P01", "there is no transaction in progress");
                    return "COMMIT";
                }
                boolean failed = status == 'E';
                endTransaction(!failed);
                return failed ? "ROLLBACK" : "COMMIT";
            default:
                if (status == 'I') {
                    notice("25P01", "there is no transaction in progress");
                } else {
                    endTransaction(false);
                }
                return "ROLLBACK";
        }
    }

    private void applyModifiers(String sql) throws SQLException {
        Matcher matcher = BEGIN_MODIFIERS.matcher(sql);
        if (matcher.matches() && !matcher.group(1).isBlank()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION " + matcher.group(1));
            } catch (SQLException e) {
                endTransaction(false);
                throw e;
            }
        }
    }

    private void endTransaction(boolean commit) throws SQLException {
        try {
            if (commit) {
                connection.commit();
            } else {
                connection.rollback();
            }
        } catch (SQLException e) {
            // A failed COMMIT still ends the transaction block, as in PostgreSQL.
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        } finally {
            status = 'I';
            connection.setAutoCommit(true);
        }
    }

    void checkNotAborted(CommandTag tag) throws SQLException {
        if (status == 'E' && !tag.allowedWhenFailed()) {
            throw new SQLException(
                    "current transaction is aborted, commands ignored until end of transaction block", "25P02");
        }
    }

    void afterSuccess(CommandTag tag) {
        if (status == 'E' && "ROLLBACK".equals(tag.verb())) {
            status = 'T';
        }
    }

    /** A statement failed: a transaction block becomes failed. */
    void failed() {
        if (status == 'T') {
            status = 'E';
        }
    }

    /** The session ends: an open transaction is rolled back. */
    void abandon() {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // The connection is closed next anyway.
        }
    }

    private void notice(String sqlState, String message) {
        notices.accept(new SQLWarning(message, sqlState));
    }
}
