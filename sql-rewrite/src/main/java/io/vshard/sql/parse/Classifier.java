package io.vshard.sql.parse;

import io.vshard.sql.RoutePlan.TransactionKind;
import java.util.List;
import java.util.Locale;

/** Classifies a statement by its leading words. */
final class Classifier {
    private Classifier() {}

    static StatementKind classify(String sql, List<Token> tokens, int from) {
        if (tokens.size() <= from) {
            return StatementKind.OTHER;
        }
        Token first = tokens.get(from);
        if (first.kind() == Token.Kind.LPAREN) {
            return StatementKind.QUERY;
        }
        if (first.kind() != Token.Kind.WORD) {
            return StatementKind.OTHER;
        }
        String w = word(sql, tokens, from);
        String next = word(sql, tokens, from + 1);
        switch (w) {
            case "select", "with", "values", "table":
                return StatementKind.QUERY;
            case "insert", "replace", "upsert":
                return StatementKind.INSERT;
            case "update":
                return StatementKind.UPDATE;
            case "delete":
                return StatementKind.DELETE;
            case "create", "alter", "drop", "truncate", "comment", "grant", "revoke", "rename":
                return StatementKind.DDL;
            case "begin", "commit", "end", "abort", "savepoint", "release", "xa":
                return StatementKind.TRANSACTION;
            case "start":
                if (next.equals("transaction")) {
                    return StatementKind.TRANSACTION;
                }
                return Words.near(next, "migration") ? StatementKind.ADMIN : StatementKind.OTHER;
            case "rollback":
                return Words.near(next, "migration") ? StatementKind.ADMIN : StatementKind.TRANSACTION;
            case "set":
                return transactionCharacteristics(sql, tokens) ? StatementKind.TRANSACTION : StatementKind.SESSION;
            case "show":
                return Words.near(next, "shard") || Words.near(next, "migration") || Words.near(next, "cohorts")
                        ? StatementKind.ADMIN
                        : StatementKind.SESSION;
            case "reset", "use", "discard":
                return StatementKind.SESSION;
            case "explain":
                return Words.near(next, "route") ? StatementKind.ADMIN : StatementKind.OTHER;
            default:
                if (Words.near(w, "publish")
                        || Words.near(w, "pause")
                        || Words.near(w, "resume")
                        || Words.near(w, "verify")) {
                    return StatementKind.ADMIN;
                }
                return StatementKind.OTHER;
        }
    }

    private static boolean transactionCharacteristics(String sql, List<Token> tokens) {
        String a = word(sql, tokens, 1);
        String b = word(sql, tokens, 2);
        return a.equals("transaction")
                || (a.equals("session") && (b.equals("characteristics") || b.equals("transaction")))
                || (a.equals("local") && b.equals("transaction"));
    }

    /** The transaction-control kind of a TRANSACTION statement. */
    static TransactionKind transactionKind(String sql, List<Token> tokens) {
        String w = word(sql, tokens, 0);
        switch (w) {
            case "commit", "end":
                return TransactionKind.COMMIT;
            case "savepoint":
                return TransactionKind.SAVEPOINT;
            case "release":
                return TransactionKind.RELEASE_SAVEPOINT;
            case "set":
                return TransactionKind.CHARACTERISTICS;
            case "rollback", "abort":
                for (int i = 1; i < tokens.size(); i++) {
                    if (word(sql, tokens, i).equals("to")) {
                        return TransactionKind.ROLLBACK_TO_SAVEPOINT;
                    }
                }
                return TransactionKind.ROLLBACK;
            case "xa":
                String x = word(sql, tokens, 1);
                if (x.equals("commit")) {
                    return TransactionKind.COMMIT;
                }
                return x.equals("rollback") ? TransactionKind.ROLLBACK : TransactionKind.BEGIN;
            default:
                return TransactionKind.BEGIN;
        }
    }

    static String word(String sql, List<Token> tokens, int i) {
        if (i >= tokens.size() || tokens.get(i).kind() != Token.Kind.WORD) {
            return "";
        }
        return tokens.get(i).text(sql).toLowerCase(Locale.ROOT);
    }
}
