package io.vshard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.config.DataSourceConfig;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Prepared statements kept per physical connection: they outlive a lease, serve the next lease on the same
 * connection, never serve two borrowers at once, and a lease closed with one still busy starts a new set.
 */
class KeptStatementsTest {
    private static final String READ = "SELECT v FROM t WHERE k = ? AND v > ?";

    private static DataSourcePool pool() throws SQLException {
        String url = "jdbc:h2:mem:kept_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        // One connection: every lease gets the same physical connection.
        DataSourcePool pool =
                new DataSourcePool(new DataSourceConfig("h2", url, "sa", "", 1), 3_000, new RouteMetrics());
        try (Lease l = Lease.acquire(pool, "test");
                Statement st = l.connection().createStatement()) {
            st.execute("CREATE TABLE t (k INT PRIMARY KEY, v INT)");
            st.execute("INSERT INTO t VALUES (1, 10), (2, 20)");
        }
        return pool;
    }

    private static PreparedStatement takeOrPrepare(Lease lease, int parameters) throws SQLException {
        PreparedStatement ps = lease.kept(READ, parameters);
        return ps != null ? ps : lease.physical().prepareStatement(READ);
    }

    private static int read(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }

    @Test
    void aKeptStatementServesTheNextLeaseOnTheSameConnection() throws Exception {
        try (DataSourcePool pool = pool()) {
            PreparedStatement first;
            try (Lease lease = Lease.acquire(pool, "test")) {
                first = takeOrPrepare(lease, 2);
                first.setInt(1, 1);
                first.setInt(2, 0);
                assertThat(read(first)).isEqualTo(10);
                lease.keep(READ, first);
            }
            try (Lease lease = Lease.acquire(pool, "test")) {
                PreparedStatement again = lease.kept(READ, 2);
                assertThat(again).isSameAs(first);
                assertThat(again.isClosed()).isFalse();
                // Taken, so busy: a second borrower of the text gets none and prepares its own.
                assertThat(lease.kept(READ, 2)).isNull();
                again.setInt(1, 2);
                again.setInt(2, 0);
                assertThat(read(again)).isEqualTo(20);
                lease.keep(READ, again);
                lease.discard(READ, null);
            }
        }
    }

    @Test
    void aRunBindingFewerParametersFailsInsteadOfReusingTheLastValues() throws Exception {
        try (DataSourcePool pool = pool();
                Lease lease = Lease.acquire(pool, "test")) {
            PreparedStatement ps = takeOrPrepare(lease, 2);
            ps.setInt(1, 1);
            ps.setInt(2, 0);
            assertThat(read(ps)).isEqualTo(10);
            lease.keep(READ, ps);
            PreparedStatement same = lease.kept(READ, 2);
            assertThat(same).isSameAs(ps);
            // The same count overwrites every value: no clear needed, the new ones apply.
            same.setInt(1, 2);
            same.setInt(2, 15);
            assertThat(read(same)).isEqualTo(20);
            lease.keep(READ, same);
            PreparedStatement fewer = lease.kept(READ, 1);
            fewer.setInt(1, 1);
            assertThatThrownBy(() -> read(fewer)).isInstanceOf(SQLException.class);
            fewer.close();
            lease.discard(READ, fewer);
            assertThat(lease.kept(READ, 2)).isNull();
            lease.discard(READ, null);
        }
    }

    @Test
    void aLeaseClosedWithAStatementBusyStartsANewSetAndTheLateHandBackClosesIt() throws Exception {
        try (DataSourcePool pool = pool()) {
            PreparedStatement kept;
            try (Lease lease = Lease.acquire(pool, "test")) {
                kept = takeOrPrepare(lease, 2);
                lease.keep(READ, kept);
            }
            Lease holder = Lease.acquire(pool, "test");
            PreparedStatement busy = holder.kept(READ, 2);
            assertThat(busy).isSameAs(kept);
            holder.close();
            try (Lease next = Lease.acquire(pool, "test")) {
                // The set the busy statement belongs to is gone: the next lease prepares afresh.
                assertThat(next.kept(READ, 2)).isNull();
                next.discard(READ, null);
            }
            holder.keep(READ, busy);
            assertThat(busy.isClosed()).isTrue();
        }
    }

    @Test
    void theLeastRecentlyUsedIdleStatementBeyondTheBoundIsClosed() throws Exception {
        try (DataSourcePool pool = pool();
                Lease lease = Lease.acquire(pool, "test")) {
            PreparedStatement oldest = null;
            for (int i = 0; i <= ConnectionStatements.KEPT; i++) {
                String sql = "SELECT " + i;
                assertThat(lease.kept(sql, 0)).isNull();
                PreparedStatement ps = lease.physical().prepareStatement(sql);
                lease.keep(sql, ps);
                if (i == 0) {
                    oldest = ps;
                }
            }
            assertThat(oldest.isClosed()).isTrue();
            assertThat(pool.statementsOf(lease.physical()).size()).isEqualTo(ConnectionStatements.KEPT);
        }
    }
}
