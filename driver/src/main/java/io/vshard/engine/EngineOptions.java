package io.vshard.engine;

import java.time.Clock;
import java.time.Duration;

/**
 * Engine tuning, set from driver properties.
 *
 * @param connectTimeoutMillis how long to wait for a shard connection before failing with 08006
 * @param fanOutThreads threads of the bounded executor that opens fan-out shard queries in parallel
 * @param parseCacheEntries the router's parse cache size
 * @param heartbeat how often the router refreshes its routing view and records its heartbeat; the lease is
 *     three heartbeats
 * @param routerKind {@code driver} or {@code proxy}, recorded with the heartbeat
 * @param clock the one clock every window and effective-at decision reads (tests and demos inject one)
 * @param heldWriteWaitMillis how long a write to a fenced cohort waits before failing with 40001
 */
public record EngineOptions(
        long connectTimeoutMillis,
        int fanOutThreads,
        long parseCacheEntries,
        Duration heartbeat,
        String routerKind,
        Clock clock,
        long heldWriteWaitMillis) {
    /** Defaults. */
    public static final EngineOptions DEFAULT = new EngineOptions(10_000, 16, 10_000, Duration.ofSeconds(10), "driver");

    /** Options with the UTC system clock and a 5-second held-write wait. */
    public EngineOptions(
            long connectTimeoutMillis,
            int fanOutThreads,
            long parseCacheEntries,
            Duration heartbeat,
            String routerKind) {
        this(connectTimeoutMillis, fanOutThreads, parseCacheEntries, heartbeat, routerKind, Clock.systemUTC(), 5_000);
    }

    /** These options with another clock. */
    public EngineOptions withClock(Clock c) {
        return new EngineOptions(
                connectTimeoutMillis, fanOutThreads, parseCacheEntries, heartbeat, routerKind, c, heldWriteWaitMillis);
    }

    /** These options with another heartbeat period. */
    public EngineOptions withHeartbeat(Duration h) {
        return new EngineOptions(
                connectTimeoutMillis, fanOutThreads, parseCacheEntries, h, routerKind, clock, heldWriteWaitMillis);
    }

    /** The lease: a router whose view is older than this fails writes to migrating cohorts. */
    public Duration lease() {
        return heartbeat.multipliedBy(3);
    }
}
