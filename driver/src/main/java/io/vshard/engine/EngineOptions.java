package io.vshard.engine;

import java.time.Duration;

/**
 * Engine tuning, set from driver properties.
 *
 * @param connectTimeoutMillis how long to wait for a shard connection before failing with 08006
 * @param fanOutThreads threads of the bounded executor that opens fan-out shard queries in parallel
 * @param parseCacheEntries the router's parse cache size
 * @param heartbeat how often the router records its heartbeat in the control store
 * @param routerKind {@code driver} or {@code proxy}, recorded with the heartbeat
 */
public record EngineOptions(
        long connectTimeoutMillis, int fanOutThreads, long parseCacheEntries, Duration heartbeat, String routerKind) {
    /** Defaults. */
    public static final EngineOptions DEFAULT = new EngineOptions(10_000, 16, 10_000, Duration.ofSeconds(10), "driver");
}
