package io.vshard.proxy.mysqlwire;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one MySQL front end: users, the backend, the version string announced to clients, limits.
 *
 * @param users who may log in
 * @param backend opens the JDBC connection of each session
 * @param serverVersion announced in the handshake; clients pick dialect features from it, and a version
 *     before 5.7.20 keeps MySQL Connector/J on {@code tx_isolation}, which MariaDB 10.x also knows
 * @param maxPacketSize largest client packet accepted, in bytes
 * @param idleTimeout a client that sends no command for this long while none runs is disconnected
 * @param jdbcThreads threads running JDBC work for all sessions
 * @param jdbcQueue commands waiting for a JDBC thread before new ones are refused
 * @param relayReads whether reads the engine routes to one MySQL shard are relayed packet by packet (only over
 *     an {@link EngineBackend}); off, every statement runs through the engine's JDBC session
 */
public record MySqlProxyConfig(
        List<MySqlUser> users,
        BackendConnector backend,
        String serverVersion,
        int maxPacketSize,
        Duration idleTimeout,
        int jdbcThreads,
        int jdbcQueue,
        boolean relayReads) {
    /** Copies the user list and checks the limits. */
    public MySqlProxyConfig {
        users = List.copyOf(users);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(serverVersion, "serverVersion");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxPacketSize < 1024 || jdbcThreads < 1 || jdbcQueue < 1) {
            throw new IllegalArgumentException("maxPacketSize >= 1024, jdbcThreads >= 1, jdbcQueue >= 1");
        }
    }

    /** Defaults: 64 MiB packets, 8 hours idle, 32 JDBC threads, 1024 queued commands, reads relayed. */
    public static MySqlProxyConfig of(List<MySqlUser> users, BackendConnector backend) {
        return new MySqlProxyConfig(users, backend, "5.7.19-vshard", 64 << 20, Duration.ofHours(8), 32, 1024, true);
    }

    /** The same settings with single-shard reads relayed or not. */
    public MySqlProxyConfig withRelayReads(boolean relay) {
        return new MySqlProxyConfig(
                users, backend, serverVersion, maxPacketSize, idleTimeout, jdbcThreads, jdbcQueue, relay);
    }

    /** The same settings with another packet limit. */
    public MySqlProxyConfig withMaxPacketSize(int bytes) {
        return new MySqlProxyConfig(
                users, backend, serverVersion, bytes, idleTimeout, jdbcThreads, jdbcQueue, relayReads);
    }

    /** The same settings with another idle timeout. */
    public MySqlProxyConfig withIdleTimeout(Duration timeout) {
        return new MySqlProxyConfig(
                users, backend, serverVersion, maxPacketSize, timeout, jdbcThreads, jdbcQueue, relayReads);
    }

    Optional<MySqlUser> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }
}
