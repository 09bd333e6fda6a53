package io.vshard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.placement.LogicalShard;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Routes every statement of {@code corpus.txt} (one per line: {@code expectation ;; sql [;; parameters]}) and
 * checks the plan kind, the shards and the SQLSTATE. Any mismatch, and any exception other than
 * {@link RoutingException}, fails the test; all failures are reported together.
 */
class CorpusTest {

    @Test
    void everyCorpusStatementRoutesAsExpected() throws IOException {
        List<String> lines;
        try (InputStream in = CorpusTest.class.getResourceAsStream("/corpus.txt")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        }
        SqlRouter router = Fixtures.router();
        List<String> failures = new ArrayList<>();
        int count = 0;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            count++;
            String[] parts = line.split(" ;; ", 3);
            String expected = parts[0].trim();
            String sql = parts[1].replace("\\n", "\n").strip();
            List<Object> params = parts.length > 2 ? parameters(parts[2]) : List.of();
            String actual;
            try {
                actual = describe(router.plan(sql, params, Fixtures.STABLE), sql);
            } catch (RoutingException e) {
                actual = "error:" + e.sqlState();
            } catch (RuntimeException e) {
                actual = "exception:" + e;
            }
            if (!actual.equals(expected)) {
                failures.add("line " + (n + 1) + ": expected " + expected + " got " + actual + "\n    " + sql);
            }
        }
        assertThat(count).isGreaterThanOrEqualTo(300);
        assertThat(failures).as(failures.size() + " of " + count + " failed").isEmpty();
    }

    static String describe(RoutePlan plan, String sql) {
        if (plan instanceof RoutePlan.Sharded s) {
            Set<Integer> shards = s.statements().stream()
                    .map(st -> st.shard().shard())
                    .collect(Collectors.toCollection(TreeSet::new));
            if (shards.size() == 64) {
                return "scatter";
            }
            if (s.statements().size() == 1) {
                ShardStatement only = s.statements().get(0);
                return only.sql().equals(sql) ? "shard:" + only.shard().shard() : "shard-rewritten:" + shards;
            }
            return "shards:" + shards.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        if (plan instanceof RoutePlan.GuardedUpdate g) {
            LogicalShard target = g.guarded().shard();
            return "guarded:" + target.shard();
        }
        if (plan instanceof RoutePlan.DefaultShard) {
            return "default";
        }
        if (plan instanceof RoutePlan.EveryShard) {
            return "every";
        }
        if (plan instanceof RoutePlan.Transaction t) {
            return "tx:" + t.kind();
        }
        if (plan instanceof RoutePlan.Session) {
            return "session";
        }
        return "admin:" + ((RoutePlan.Admin) plan).command().kind();
    }

    private static List<Object> parameters(String text) {
        List<Object> out = new ArrayList<>();
        for (String p : text.split(",(?=(?:[^']*'[^']*')*[^']*$)")) {
            String v = p.trim();
            if (v.isEmpty()) {
                continue;
            }
            if (v.equals("null")) {
                out.add(null);
            } else if (v.startsWith("'")) {
                out.add(v.substring(1, v.length() - 1));
            } else if (v.contains(".")) {
                out.add(new BigDecimal(v));
            } else {
                out.add(Long.parseLong(v));
            }
        }
        return out;
    }
}
