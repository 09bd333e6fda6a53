package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import io.vshard.sql.parse.Scan;
import io.vshard.sql.parse.Token;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A ledger read pinned to one creator (and region) whose two places during a migration differ only by window:
 * instead of the per-row placement check ({@link io.vshard.sql.PlacementFilter}, one partial per key and window
 * from each shard), each shard's text gets the window condition that selects exactly the rows the check keeps
 * there, so each shard returns what the application's text returns and the merge needs no check.
 *
 * <p>Why it is exact. The rows such a read sees all carry the statement's creator and region (its WHERE names
 * both by equality), so the check decides by window alone, and {@link Placement#locate} looks at a row's window
 * only through {@code window >= effective} and {@code window == null}. Hence, when locating the key at the
 * effective window gives one shard N and at the window before it one shard O (O and N at different locations),
 * the check keeps a row on O unless its window is a valid id at or after the effective one, and on N unless it
 * is a valid id before it; a NULL or invalid window is kept wherever it is found, as the check does.
 * {@link #condition} is that rule in SQL, PostgreSQL only (a regular expression mirrors {@link WindowId#parse}
 * where a cheaper test of the written form does not settle it, and {@code make_date}/{@code EXTRACT(WEEK ...)} its
 * week-53 rule); callers use it only on PostgreSQL and plan the check everywhere else. Immutable; made once per text.
 */
final class WindowSplit {
    private static final Set<String> AFTER_WHERE = Set.of(
            "group",
            "having",
            "order",
            "limit",
            "offset",
            "fetch",
            "for",
            "window",
            "union",
            "intersect",
            "except",
            "lock",
            "returning");
    /** {@link WindowId#parse}: trimmed of characters up to U+0020, four digits, "_W", a week 01 to 53. */
    private static final String FORMAT = "'^[\\x01- ]*[0-9]{4}_W(0[1-9]|[1-4][0-9]|5[0-3])[\\x01- ]*$'";
    /** The ISO year 0000 (1 BC) exists for WindowId but not for PostgreSQL's make_date. */
    private static final boolean YEAR_ZERO_HAS_53 = WindowId.weeksIn(0) == 53;

    private final TableRule rule;
    private final int where;
    private final int end;
    private final String column;

    /**
     * The two places of one execution and the window that separates them.
     *
     * @param older the shard of the rows before the effective window (the key's cohort not yet moved)
     * @param newer the shard of the rows at or after it
     * @param effective the next version's effective window
     */
    record Sides(WindowSplit split, LogicalShard older, LogicalShard newer, WindowId effective) {
        /** Wraps the WHERE condition in parentheses and adds {@code shard}'s window condition. */
        void edit(Splice s, LogicalShard shard) {
            int first = split.where + 1;
            s.replace(first, first, List.of(text("("), Splice.Piece.range(first, first)));
            s.insertBefore(
                    split.end, List.of(text(") AND " + condition(split.column, shard.equals(older), effective))));
        }
    }

    private WindowSplit(TableRule rule, int where, int end, String column) {
        this.rule = rule;
        this.where = where;
        this.end = end;
        this.column = column;
    }

    /**
     * The split for a one-key read of one ledger table that names its creator and, when the table has one, its
     * region, and no window, with a plain WHERE clause; {@code null} for every other text (the check then runs).
     */
    static WindowSplit of(Scan scan, Analysis a) {
        SelectShape shape = a.select();
        if (shape == null
                || a.sharded().size() != 1
                || a.broadcast()
                || !a.sharded().get(0).windowed()) {
            return null;
        }
        TableRule rule = a.sharded().get(0);
        Alt alt = a.cond().alts().get(0);
        if (alt.window() != null || (rule.regionColumn() != null && alt.region() == null)) {
            return null;
        }
        KeyColumns keys = shape.keys();
        if (keys == null || keys.refusal() != null || !keys.rule().equals(rule)) {
            return null;
        }
        String sql = scan.sql();
        List<Token> tokens = scan.tokens();
        int depth = 0;
        int from = -1;
        int where = -1;
        int end = scan.tailToken();
        for (int i = 0; i < scan.tailToken(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Token.Kind.LPAREN) {
                depth++;
            } else if (t.kind() == Token.Kind.RPAREN) {
                depth--;
            } else if (depth == 0 && from >= 0 && where < 0 && t.kind() == Token.Kind.COMMA) {
                return null;
            } else if (depth == 0 && t.kind() == Token.Kind.SEMICOLON) {
                end = i;
                break;
            } else if (depth == 0 && t.kind() == Token.Kind.WORD) {
                String w = t.text(sql).toLowerCase(Locale.ROOT);
                if (w.equals("from") && from < 0) {
                    from = i;
                } else if (w.equals("join") && where < 0) {
                    return null;
                } else if (w.equals("where") && from >= 0 && where < 0) {
                    where = i;
                } else if (where >= 0 && AFTER_WHERE.contains(w)) {
                    end = i;
                    break;
                }
            }
        }
        if (where < 0 || end <= where + 1) {
            return null;
        }
        String qualifier = keys.qualifier() == null ? "" : keys.qualifier() + ".";
        return new WindowSplit(rule, where, end, qualifier + rule.windowColumn());
    }

    /**
     * The two sides of this execution when the window alone decides between them (see the class comment), else
     * {@code null}.
     */
    Sides sides(RoutingState state, Targets t) {
        if (state.next() == null
                || !state.ledgerOnNext()
                || state.next().effectiveWindow() == null
                || t.shards().size() != 2
                || t.places().size() != 1) {
            return null;
        }
        WindowId effective = state.next().effectiveWindow();
        ShardKey key = t.places().get(0).key();
        Place at = Placement.locate(state, rule, key, effective);
        Place before = Placement.locate(state, rule, key, effective.previous());
        if (at.candidates().size() != 1 || before.candidates().size() != 1) {
            return null;
        }
        LogicalShard newer = at.candidates().get(0);
        LogicalShard older = before.candidates().get(0);
        if (older.location().equals(newer.location())
                || !t.shards().contains(older)
                || !t.shards().contains(newer)) {
            return null;
        }
        return new Sides(this, older, newer, effective);
    }

    /**
     * PostgreSQL: true for the rows the placement check keeps on the older side ({@code older}) or the newer
     * one: NOT (the window is a valid id, and at or after / before {@code effective}).
     *
     * <p>A window in the form the application writes ({@code dddd_Wdd}, nothing around it) is decided with
     * {@code translate}, {@code substring} by position and text comparisons; only any other value (NULL, padded
     * or malformed) takes the regular expressions, whose three matches cost about 5 us a row: on a creator's 50
     * rows that was as much as the seq scan of a 3,400-row shard (BENCHMARKS.md, session 10). Both branches
     * state the same rule: for such a value the trimmed text is the value itself, and it is a valid id exactly
     * when its week is 01 to 53 and, for 53, its year has 53 weeks.
     */
    static String condition(String column, boolean older, WindowId effective) {
        String text = "CAST(" + column + " AS text)";
        String week = "substring(" + text + ", 7, 2)";
        String year = "substring(" + text + ", 1, 4)";
        String canonical = "translate(" + text + ", '0123456789', '0000000000') = '0000_W00'";
        String fast = text + " COLLATE \"C\"" + (older ? " >= '" : " < '") + effective + "' AND " + week
                + " COLLATE \"C\" BETWEEN '01' AND '53' AND (" + week + " <> '53' OR " + week53(year) + ")";
        return "NOT CASE WHEN " + canonical + " THEN " + fast + " ELSE " + anyForm(text, older, effective) + " END";
    }

    /** True for a valid id at or after / before {@code effective}, false or NULL for any other window. */
    private static String anyForm(String text, boolean older, WindowId effective) {
        String year = "substring(" + text + " from '([0-9]{4})_W')";
        String week53 = "(substring(" + text + " from '_W([0-9]{2})') <> '53' OR " + week53(year) + ")";
        String id = "substring(" + text + " from '[0-9]{4}_W[0-9]{2}') COLLATE \"C\"";
        return "COALESCE(" + text + " ~ " + FORMAT + " AND " + week53 + " AND " + id + (older ? " >= '" : " < '")
                + effective + "', FALSE)";
    }

    /** Whether the four-digit {@code year} has an ISO week 53 ({@code make_date} knows no year 0). */
    private static String week53(String year) {
        return "CASE WHEN " + year + " = '0000' THEN " + YEAR_ZERO_HAS_53 + " ELSE EXTRACT(WEEK FROM make_date(CAST("
                + year + " AS integer), 12, 28)) = 53 END";
    }

    private static Splice.Piece text(String s) {
        return Splice.Piece.text(s);
    }
}
