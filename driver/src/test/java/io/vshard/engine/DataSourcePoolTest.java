package io.vshard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.config.DataSourceConfig;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Borrowing from the pool in slices: a borrower waits the whole connect timeout, and no longer. */
class DataSourcePoolTest {
    private static DataSourcePool pool(long timeoutMillis) {
        String url = "jdbc:h2:mem:pool_" + System.nanoTime();
        return new DataSourcePool(new DataSourceConfig("h2", url, "sa", "", 1), timeoutMillis, new RouteMetrics());
    }

    @Test
    void aBorrowerWaitsAcrossSlicesForAConnectionReturnedLater() throws Exception {
        try (DataSourcePool pool = pool(3_000)) {
            Connection held = pool.connection();
            CompletableFuture<Void> giveBack = CompletableFuture.runAsync(
                    () -> {
                        try {
                            held.close();
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    CompletableFuture.delayedExecutor(800, TimeUnit.MILLISECONDS));
            long started = System.nanoTime();
            try (Connection c = pool.connection()) {
                assertThat(c.isValid(1)).isTrue();
            }
            // Longer than one slice: slicing the wait does not shorten it.
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                    .isGreaterThanOrEqualTo(700);
            giveBack.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBorrowerGivesUpAtTheConnectTimeout() throws Exception {
        try (DataSourcePool pool = pool(700);
                Connection held = pool.connection()) {
            long started = System.nanoTime();
            assertThatThrownBy(pool::connection).isInstanceOf(SQLTransientConnectionException.class);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(waited).isBetween(600L, 2_000L);
            assertThat(held.isValid(1)).isTrue();
        }
    }
}
