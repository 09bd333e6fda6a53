package io.vshard.demo;

import java.nio.file.Path;

/**
 * How {@code vshard demo} runs.
 *
 * @param dataDir the data directory (shard databases, control store, configuration, key, manifests)
 * @param fresh wipe the data directory first
 * @param creators creators in the dataset
 * @param payments payments in the dataset
 * @param seed the dataset's seed
 * @param rollbackAt roll the migration back once at this percentage of rows moved, then restart it (0 = never)
 * @param httpPort the dashboard's port (0 = no dashboard, -1 = any free port)
 * @param writesPerSecond the live writers' total rate (readers run at half of it)
 * @param stepPauseMillis how long each step lingers so a watcher can follow it on the dashboard
 * @param lingerSeconds how long the dashboard stays up after the report
 * @param terminal whether the output is a terminal (progress bar redrawn in place)
 * @param backend {@code embedded} (H2 files under the data directory), {@code postgres} or {@code mysql}
 * @param url the server's JDBC URL for a server backend (null: the local default)
 * @param user the server's user (null: postgres / root)
 * @param password the server's password (null: none)
 * @param keep leave a server backend's databases in place after the run instead of dropping them
 */
public record DemoOptions(
        Path dataDir,
        boolean fresh,
        long creators,
        long payments,
        long seed,
        int rollbackAt,
        int httpPort,
        int writesPerSecond,
        long stepPauseMillis,
        long lingerSeconds,
        boolean terminal,
        String backend,
        String url,
        String user,
        String password,
        boolean keep) {
    public DemoOptions {
        if (creators < 64 || payments < 0) {
            throw new IllegalArgumentException("--creators must be at least 64 and --payments at least 0");
        }
        if (rollbackAt < 0 || rollbackAt >= 100) {
            throw new IllegalArgumentException("--rollback-at must be a percentage between 1 and 99 (0 = never)");
        }
        DemoBackend.of(backend, url, user, password);
    }
}
