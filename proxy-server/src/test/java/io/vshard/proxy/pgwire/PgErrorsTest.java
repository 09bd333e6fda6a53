package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** H2's failure on psql's {@code \dt} query keeps its message and gains a hint saying what to do instead. */
class PgErrorsTest {
    /** psql 15's {@code \dt}, as it sends it. */
    private static final String DT = "SELECT n.nspname as \"Schema\", c.relname as \"Name\", CASE c.relkind WHEN 'r'"
            + " THEN 'table' WHEN 'p' THEN 'partitioned table' END as \"Type\","
            + " pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\" FROM pg_catalog.pg_class c"
            + " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','')"
            + " AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema'"
            + " AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2";

    @Test
    void h2CatalogFailureCarriesAHint() throws Exception {
        SQLException e;
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:pgerrors;MODE=PostgreSQL", "sa", "");
                Statement st = c.createStatement()) {
            e = catchThrowableOfType(() -> st.executeQuery(DT), SQLException.class);
        }
        assertThat((Object) e).isNotNull();
        BackendMessage.ErrorOrNotice error = PgErrors.fromSqlException(new SQLException("shard db_a", "42S22", e), 0);
        assertThat(error.fields().get('M')).isEqualTo("shard db_a");
        assertThat(error.fields().get('H')).isEqualTo(PgErrors.H2_CATALOG_HINT).contains("information_schema.tables");
    }

    @Test
    void otherFailuresCarryNoHint() {
        BackendMessage.ErrorOrNotice error =
                PgErrors.fromSqlException(new SQLException("relation \"pg_catalog.x\" does not exist", "42P01"), 0);
        assertThat(error.fields()).doesNotContainKey('H');
    }
}
