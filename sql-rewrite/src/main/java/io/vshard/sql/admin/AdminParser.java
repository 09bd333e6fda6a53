package io.vshard.sql.admin;

import io.vshard.sql.AdminCommand;
import io.vshard.sql.RoutingException;
import io.vshard.sql.parse.Lexer;
import io.vshard.sql.parse.Token;
import io.vshard.sql.parse.Words;
import java.util.List;
import java.util.Locale;

/**
 * The grammar of vshard's admin commands: a fixed word sequence per command plus at most one argument.
 * Case-insensitive; a trailing {@code ;} is allowed. A typo gets 42601 naming the nearest command.
 */
public final class AdminParser {
    private record Form(AdminCommand.Kind kind, String[] words, String syntax) {}

    private static final List<Form> FORMS = List.of(
            form(AdminCommand.Kind.SHOW_SHARD_VERSION, "SHOW SHARD VERSION", ""),
            form(AdminCommand.Kind.SHOW_SHARD_MANIFESTS, "SHOW SHARD MANIFESTS", ""),
            form(AdminCommand.Kind.SHOW_SHARD_HEALTH, "SHOW SHARD HEALTH", ""),
            form(AdminCommand.Kind.SHOW_MIGRATION_STATUS, "SHOW MIGRATION STATUS", ""),
            form(AdminCommand.Kind.SHOW_COHORTS, "SHOW COHORTS", " [WHERE state = '...']"),
            form(AdminCommand.Kind.EXPLAIN_ROUTE, "EXPLAIN ROUTE", " <statement>"),
            form(AdminCommand.Kind.PUBLISH_MANIFEST, "PUBLISH MANIFEST", " '<path>'"),
            form(AdminCommand.Kind.START_MIGRATION, "START MIGRATION", ""),
            form(AdminCommand.Kind.PAUSE_MIGRATION, "PAUSE MIGRATION", ""),
            form(AdminCommand.Kind.RESUME_MIGRATION, "RESUME MIGRATION", ""),
            form(AdminCommand.Kind.ROLLBACK_MIGRATION, "ROLLBACK MIGRATION", ""),
            form(AdminCommand.Kind.VERIFY_COHORT, "VERIFY COHORT", " <n>"));

    private AdminParser() {}

    private static Form form(AdminCommand.Kind kind, String words, String args) {
        return new Form(kind, words.split(" "), words + args);
    }

    /**
     * Parses an admin command.
     *
     * @throws RoutingException 42601 with the nearest valid command when the text is not one
     */
    public static AdminCommand parse(String sql) {
        List<Token> tokens = Lexer.tokenize(sql);
        int n = tokens.size();
        while (n > 0 && tokens.get(n - 1).kind() == Token.Kind.SEMICOLON) {
            n--;
        }
        Form best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Form f : FORMS) {
            int d = 0;
            for (int w = 0; w < f.words.length; w++) {
                d += w < n && tokens.get(w).kind() == Token.Kind.WORD
                        ? Words.distance(tokens.get(w).text(sql), f.words[w])
                        : f.words[w].length();
            }
            if (d == 0) {
                return arguments(f, sql, tokens, n);
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = f;
            }
        }
        String written = n == 0
                ? ""
                : sql.substring(
                        tokens.get(0).start(), tokens.get(Math.min(n, 3) - 1).end());
        throw new RoutingException(
                "42601",
                "unknown admin command '" + written + "'; did you mean " + best.syntax + "?",
                n == 0 ? 1 : tokens.get(0).start() + 1);
    }

    private static AdminCommand arguments(Form f, String sql, List<Token> tokens, int n) {
        int at = f.words.length;
        switch (f.kind) {
            case SHOW_COHORTS:
                if (at == n) {
                    return new AdminCommand(f.kind, null);
                }
                if (n == at + 4
                        && tokens.get(at).is(sql, "where")
                        && tokens.get(at + 1).is(sql, "state")
                        && tokens.get(at + 2).text(sql).equals("=")
                        && tokens.get(at + 3).kind() == Token.Kind.STRING) {
                    return new AdminCommand(
                            f.kind, unquote(tokens.get(at + 3).text(sql)).toUpperCase(Locale.ROOT));
                }
                throw usage(f, sql, tokens, at);
            case EXPLAIN_ROUTE:
                if (at == n) {
                    throw usage(f, sql, tokens, at);
                }
                return new AdminCommand(
                        f.kind,
                        sql.substring(tokens.get(at).start(), tokens.get(n - 1).end()));
            case PUBLISH_MANIFEST:
                if (n == at + 1 && tokens.get(at).kind() == Token.Kind.STRING) {
                    return new AdminCommand(f.kind, unquote(tokens.get(at).text(sql)));
                }
                throw usage(f, sql, tokens, at);
            case VERIFY_COHORT:
                if (n == at + 1
                        && tokens.get(at).kind() == Token.Kind.NUMBER
                        && tokens.get(at).text(sql).chars().allMatch(Character::isDigit)) {
                    return new AdminCommand(f.kind, tokens.get(at).text(sql));
                }
                throw usage(f, sql, tokens, at);
            default:
                if (at == n) {
                    return new AdminCommand(f.kind, null);
                }
                throw usage(f, sql, tokens, at);
        }
    }

    private static RoutingException usage(Form f, String sql, List<Token> tokens, int at) {
        int pos = at < tokens.size() ? tokens.get(at).start() + 1 : sql.length() + 1;
        return new RoutingException("42601", "syntax error in admin command; expected " + f.syntax, pos);
    }

    private static String unquote(String literal) {
        return literal.substring(1, literal.length() - 1).replace("''", "'");
    }
}
