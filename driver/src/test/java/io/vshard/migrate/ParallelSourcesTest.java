package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelSourcesTest {
    @Test
    void resultsComeInTheOrderOfTheSourcesAndTheTasksRunSideBySide() throws Exception {
        List<String> sources = List.of("db_a", "db_b", "db_c", "db_d");
        // Every task waits until all four started: they can only all end if they run at once.
        CountDownLatch started = new CountDownLatch(sources.size());
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (ParallelSources parallel = new ParallelSources(true)) {
            Map<String, String> out = parallel.run(sources, ds -> {
                threads.add(Thread.currentThread().getName());
                started.countDown();
                try {
                    if (!started.await(10, TimeUnit.SECONDS)) {
                        throw new SQLException("tasks did not run side by side", "XX000");
                    }
                } catch (InterruptedException e) {
                    throw new SQLException("interrupted", "57014", e);
                }
                return ds.toUpperCase(java.util.Locale.ROOT);
            });
            assertThat(out.keySet()).containsExactlyElementsOf(sources);
            assertThat(out.values()).containsExactly("DB_A", "DB_B", "DB_C", "DB_D");
            assertThat(threads)
                    .hasSize(sources.size())
                    .contains(Thread.currentThread().getName());
        }
    }

    @Test
    void aFailureIsThrownOnlyAfterEveryTaskEndedAndTheFirstInSourceOrderWins() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        try (ParallelSources parallel = new ParallelSources(true)) {
            assertThatThrownBy(() -> parallel.run(List.of("db_a", "db_b", "db_c"), ds -> {
                        running.incrementAndGet();
                        try {
                            if (ds.equals("db_a")) {
                                throw new SQLException("db_a broke", "08006");
                            }
                            // The slow task is still on its connection when db_a fails: run must wait for it.
                            Thread.sleep(ds.equals("db_b") ? 300 : 10);
                            if (ds.equals("db_c")) {
                                throw new SQLException("db_c broke", "08006");
                            }
                            return ds;
                        } catch (InterruptedException e) {
                            throw new SQLException("interrupted", "57014", e);
                        } finally {
                            ended.incrementAndGet();
                            running.decrementAndGet();
                        }
                    }))
                    .isInstanceOf(SQLException.class)
                    .hasMessage("db_a broke");
            assertThat(ended.get()).isEqualTo(3);
            assertThat(running.get()).isZero();
        }
    }
}
