package io.vshard.proxy.pgwire;

import java.util.List;

/**
 * What a statement is, read from its leading keywords: a transaction-control command the proxy maps onto JDBC
 * ({@code setAutoCommit}, {@code commit}, {@code rollback}) or an ordinary one, and the CommandComplete tag
 * PostgreSQL would send for it ({@code SELECT 3}, {@code INSERT 0 1}, {@code CREATE TABLE}...).
 */
record CommandTag(Kind kind, List<String> words) {

    /** The transaction-control commands the proxy handles itself. */
    enum Kind {
        BEGIN,
        COMMIT,
        ROLLBACK,
        OTHER
    }

    /** Classifies one statement. */
    static CommandTag of(String sql) {
        List<String> words = SqlScanner.keywords(sql, 5);
        String first = words.isEmpty() ? "" : words.get(0);
        String second = words.size() > 1 ? words.get(1) : "";
        Kind kind;
        switch (first) {
            case "BEGIN":
                kind = Kind.BEGIN;
                break;
            case "START":
                kind = "TRANSACTION".equals(second) ? Kind.BEGIN : Kind.OTHER;
                break;
            case "COMMIT":
            case "END":
                kind = "PREPARED".equals(second) ? Kind.OTHER : Kind.COMMIT;
                break;
            case "ROLLBACK":
            case "ABORT":
                kind = "PREPARED".equals(second) || "TO".equals(second) ? Kind.OTHER : Kind.ROLLBACK;
                break;
            default:
                kind = Kind.OTHER;
        }
        return new CommandTag(kind, words);
    }

    /** Whether PostgreSQL accepts it inside an aborted transaction (it ends or rewinds the transaction). */
    boolean allowedWhenFailed() {
        return kind == Kind.COMMIT || kind == Kind.ROLLBACK || (verb().equals("ROLLBACK") && kind == Kind.OTHER);
    }

    String verb() {
        return words.isEmpty() ? "" : words.get(0);
    }

    /** The tag for a statement that returned {@code rows} rows. */
    String forRows(long rows) {
        switch (verb()) {
            case "INSERT":
                return "INSERT 0 " + rows;
            case "UPDATE":
            case "DELETE":
            case "MERGE":
            case "FETCH":
            case "MOVE":
            case "COPY":
                return verb() + " " + rows;
            case "SHOW":
                return "SHOW";
            case "EXPLAIN":
                return "EXPLAIN";
            default:
                return "SELECT " + rows;
        }
    }

    /** The tag for a statement that returned an update count (negative when the backend gave none). */
    String forUpdateCount(long count) {
        String verb = verb();
        switch (verb) {
            case "INSERT":
            case "UPDATE":
            case "DELETE":
            case "MERGE":
            case "FETCH":
            case "MOVE":
            case "COPY":
            case "SELECT":
                return forRows(Math.max(count, 0));
            case "CREATE":
            case "ALTER":
            case "DROP":
                return verb + " " + objectWord();
            case "START":
                return "START TRANSACTION";
            case "END":
                return "COMMIT";
            case "ABORT":
                return "ROLLBACK";
            case "":
                return "";
            default:
                return verb;
        }
    }

    private String objectWord() {
        for (int i = 1; i < words.size(); i++) {
            switch (words.get(i)) {
                case "OR", "REPLACE", "UNIQUE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL", "MATERIALIZED":
                    continue;
                default:
                    return words.get(i);
            }
        }
        return "";
    }
}
