package io.vshard.sql.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.sql.RoutingException;
import io.vshard.sql.parse.Scan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The lexer-only analysis of point selects must be exactly the analysis Calcite gives: checked over every
 * corpus statement it accepts and over random statements of its shape, with near misses that it must leave
 * to Calcite.
 */
class LexicalFrontTest {
    private static final TableRules RULES = new TableRules(List.of(
            new TableRule("posts", TableRule.Kind.SHARDED, "creator_id", null, null, "id"),
            new TableRule("comments", TableRule.Kind.SHARDED, "creator_id", null, null, "id"),
            new TableRule("payments", TableRule.Kind.SHARDED, "creator_id", null, "week", "id"),
            new TableRule("profiles", TableRule.Kind.SHARDED, "creator_id", "region", null, "id"),
            new TableRule("countries", TableRule.Kind.BROADCAST, null, null, null, "code"),
            new TableRule("app_settings", TableRule.Kind.UNSHARDED, null, null, null, null)));

    @Test
    void everyCorpusStatementTheLexerTakesAnalyzesAsCalciteDoes() throws IOException {
        List<String> lines;
        try (InputStream in = LexicalFrontTest.class.getResourceAsStream("/corpus.txt")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        }
        int taken = 0;
        List<String> mismatches = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String sql = line.split(" ;; ", 3)[1].replace("\\n", "\n").strip();
            Scan scan;
            try {
                scan = Scan.of(sql);
            } catch (RoutingException e) {
                continue;
            }
            Analysis lexical = LexicalFront.analyze(RULES, scan);
            if (lexical != null) {
                taken++;
                String calcite = calcite(scan);
                if (!describe(lexical).equals(calcite)) {
                    mismatches.add(sql + "\n  lexer:   " + describe(lexical) + "\n  calcite: " + calcite);
                }
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(taken).as("corpus point selects taken by the lexer").isGreaterThanOrEqualTo(20);
    }

    @Property(tries = 500)
    void randomPointSelectsAnalyzeAsCalciteDoes(@ForAll("pointSelects") String sql) {
        Scan scan = Scan.of(sql);
        Analysis lexical = LexicalFront.analyze(RULES, scan);
        assertThat(lexical).as(sql).isNotNull();
        assertThat(describe(lexical)).as(sql).isEqualTo(calcite(scan));
    }

    @Test
    void nearMissesGoToCalcite() {
        for (String sql : List.of(
                "SELECT id FROM posts WHERE creator_id = ? OR creator_id = ?",
                "SELECT id FROM posts WHERE creator_id IN (?, ?)",
                "SELECT id FROM posts WHERE creator_id = -5",
                "SELECT id FROM posts WHERE creator_id = ? ORDER BY id",
                "SELECT DISTINCT id FROM posts WHERE creator_id = ?",
                "SELECT count(*) FROM posts WHERE creator_id = ?",
                "SELECT id FROM posts p JOIN comments c ON p.creator_id = c.creator_id WHERE p.creator_id = ?",
                "SELECT id FROM posts WHERE x.creator_id = ?",
                "SELECT id FROM countries WHERE code = ?",
                "SELECT id FROM app_settings WHERE creator_id = ?",
                "SELECT id FROM posts WHERE creator_id = ? LIMIT ? OFFSET ?",
                "SELECT \"id\" FROM posts WHERE creator_id = ?",
                "SELECT date FROM posts WHERE creator_id = ?",
                "SELECT id FROM payments WHERE creator_id = ? AND week = ?",
                "SELECT id FROM posts WHERE creator_id = ?::bigint",
                "EXPLAIN SELECT id FROM posts WHERE creator_id = ?",
                "SELECT id FROM public.posts WHERE creator_id = ?")) {
            assertThat(LexicalFront.analyze(RULES, Scan.of(sql))).as(sql).isNull();
        }
    }

    @Provide
    Arbitrary<String> pointSelects() {
        Arbitrary<String> column = Arbitraries.of("id", "title", "Body", "creator_id", "region", "x1");
        Arbitrary<String> table = Arbitraries.of("posts", "payments", "profiles", "POSTS");
        Arbitrary<String> alias = Arbitraries.of("", " p", " AS p");
        Arbitrary<String> value = Arbitraries.of("?", "42", "'EU'", "'2025_W47'", "$1", "0.5e3");
        Arbitrary<String> keyColumn = Arbitraries.of("creator_id", "region", "id", "title");
        Arbitrary<List<String>> items = Arbitraries.oneOf(
                        column, column.map(c -> c + " AS a_" + c), Arbitraries.just("*"), column.map(c -> "p." + c))
                .list()
                .ofMinSize(1)
                .ofMaxSize(4);
        Arbitrary<List<String>> preds = Combinators.combine(keyColumn, value, Arbitraries.of("", "p."))
                .as((c, v, q) -> q + c + " = " + v)
                .list()
                .ofMinSize(1)
                .ofMaxSize(3);
        Arbitrary<String> end =
                Arbitraries.of("", " LIMIT ?", " LIMIT 1", " FOR UPDATE", ";", " FOR SHARE SKIP LOCKED");
        return Combinators.combine(items, table, alias, preds, end).as((i, t, a, p, e) -> {
            String q = a.isEmpty() ? t.toLowerCase(java.util.Locale.ROOT) : "p";
            String select = i.stream().map(s -> s.replace("p.", q + ".")).collect(Collectors.joining(", "));
            String where = p.stream().map(s -> s.replace("p.", q + ".")).collect(Collectors.joining(" AND "));
            String sql = "SELECT " + select + " FROM " + t + a + " WHERE " + where + e;
            return sql.contains("$1") ? sql.replace("?", "$1") : sql;
        });
    }

    private static String calcite(Scan scan) {
        return describe(BabelFront.analyze(RULES, scan));
    }

    /** The analysis as text, arrays by content (records compare arrays by identity). */
    private static String describe(Analysis a) {
        SelectShape s = a.select();
        String shape = s == null
                ? "null"
                : List.of(
                                String.valueOf(s.refusal()),
                                s.visible(),
                                s.orderBy(),
                                s.groupBy(),
                                s.aggregates(),
                                s.distinct(),
                                String.valueOf(s.fetch()),
                                String.valueOf(s.offset()),
                                s.fetchToken(),
                                s.offsetToken(),
                                s.avgTokens(),
                                s.hidden().stream().map(Arrays::toString).toList(),
                                s.insertAt(),
                                String.valueOf(s.keys()))
                        .toString();
        return List.of(
                        a.sharded(),
                        a.broadcast(),
                        String.valueOf(a.target()),
                        String.valueOf(a.targetName()),
                        String.valueOf(a.cond().alts())
                                + Arrays.toString(a.cond().inList()),
                        a.touchesSharded(),
                        a.rows(),
                        String.valueOf(a.insertSelect()),
                        String.valueOf(a.setCreator()),
                        a.setsCreatorExpression(),
                        String.valueOf(a.primaryKey()),
                        shape)
                .toString();
    }
}
