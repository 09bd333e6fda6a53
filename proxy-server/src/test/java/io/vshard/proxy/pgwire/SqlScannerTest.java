package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScannerTest {

    @Test
    void splitsAtTopLevelSemicolonsOnly() {
        String sql = "SELECT 'a;b'; SELECT \"x;y\" FROM t -- c;d\n; SELECT $$;$$, $f$ ; $f$;"
                + "/* a; /* nested; */ still; */ SELECT E'\\';' ;  ;";
        List<SqlScanner.Piece> pieces = SqlScanner.split(sql);
        assertThat(pieces)
                .extracting(SqlScanner.Piece::sql)
                .containsExactly(
                        "SELECT 'a;b'",
                        " SELECT \"x;y\" FROM t -- c;d\n",
                        " SELECT $$;$$, $f$ ; $f$",
                        "/* a; /* nested; */ still; */ SELECT E'\\';' ");
        assertThat(pieces.get(1).offset()).isEqualTo(sql.indexOf(" SELECT \"x"));
        assertThat(SqlScanner.split("  -- only a comment\n ; ")).isEmpty();
    }

    @Test
    void rewritesPlaceholdersOutsideQuotes() {
        SqlScanner.Rewritten rewritten = SqlScanner.rewrite("SELECT $2, '$1', \"$1\", $1 -- $3\n, a$1, $2 ? 'k'");
        assertThat(rewritten.sql()).isEqualTo("SELECT ?, '$1', \"$1\", ? -- $3\n, a$1, ? ?? 'k'");
        assertThat(rewritten.parameterOrder()).containsExactly(1, 0, 1);
        assertThat(rewritten.parameterCount()).isEqualTo(2);
    }

    @Test
    void readsLeadingKeywords() {
        assertThat(SqlScanner.keywords("/* hi */ (select 1)", 2)).containsExactly("SELECT");
        assertThat(SqlScanner.keywords("  create unique index i on t(a)", 3))
                .containsExactly("CREATE", "UNIQUE", "INDEX");
    }

    @Test
    void tagsFollowPostgreSql() {
        assertThat(CommandTag.of("insert into t values (1)").forUpdateCount(3)).isEqualTo("INSERT 0 3");
        assertThat(CommandTag.of("UPDATE t SET a = 1").forUpdateCount(2)).isEqualTo("UPDATE 2");
        assertThat(CommandTag.of("create unique index i on t(a)").forUpdateCount(0))
                .isEqualTo("CREATE INDEX");
        assertThat(CommandTag.of("CREATE OR REPLACE FUNCTION f()").forUpdateCount(0))
                .isEqualTo("CREATE FUNCTION");
        assertThat(CommandTag.of("SET search_path = x").forUpdateCount(0)).isEqualTo("SET");
        assertThat(CommandTag.of("WITH x AS (SELECT 1) SELECT * FROM x").forRows(1))
                .isEqualTo("SELECT 1");
        assertThat(CommandTag.of("start transaction read only").kind()).isEqualTo(CommandTag.Kind.BEGIN);
        assertThat(CommandTag.of("ROLLBACK TO SAVEPOINT a").kind()).isEqualTo(CommandTag.Kind.OTHER);
        assertThat(CommandTag.of("ROLLBACK TO SAVEPOINT a").allowedWhenFailed()).isTrue();
        assertThat(CommandTag.of("end").kind()).isEqualTo(CommandTag.Kind.COMMIT);
    }
}
