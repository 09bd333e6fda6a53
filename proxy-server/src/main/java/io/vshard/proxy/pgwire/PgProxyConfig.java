package io.vshard.proxy.pgwire;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Settings of the PostgreSQL front end.
 *
 * @param authMethod how clients prove who they are
 * @param users the logins, by name
 * @param maxMessageSize the largest accepted client frame, in bytes
 * @param idleTimeout a session with no client message for this long is closed (zero disables)
 * @param workerThreads threads running JDBC work for all sessions
 * @param workerQueue tasks that may wait for a worker before new work is refused
 * @param serverVersion reported as {@code server_version}
 * @param drainTimeout how long {@link PgProxyServer#close()} waits for running statements
 * @param tlsCertificate PEM certificate chain offered on SSLRequest; null answers 'N' (no TLS)
 * @param tlsPrivateKey PEM PKCS#8 private key of {@code tlsCertificate}; null when no TLS
 * @param directForwarding whether single-shard reads of sessions served by a vshard engine are forwarded to their
 *     shard at the wire level (see {@link PgDirectPath}) instead of running through the engine
 * @param multiplexing whether forwarded reads of sessions with equal schema and settings share one pipelined backend
 *     connection per event loop and data source ({@link PgSharedLink}) instead of each session using its own
 */
public record PgProxyConfig(
        PgAuthMethod authMethod,
        Map<String, PgUser> users,
        int maxMessageSize,
        Duration idleTimeout,
        int workerThreads,
        int workerQueue,
        String serverVersion,
        Duration drainTimeout,
        Path tlsCertificate,
        Path tlsPrivateKey,
        boolean directForwarding,
        boolean multiplexing) {

    /** The system property that sets {@link #multiplexing}'s default ({@code true} or {@code false}). */
    public static final String MULTIPLEX_PROPERTY = "vshard.pg.multiplex";

    /** Validates and copies. */
    public PgProxyConfig {
        users = Map.copyOf(users);
        if (maxMessageSize < 1024) {
            throw new IllegalArgumentException("maxMessageSize must be at least 1024");
        }
        if ((tlsCertificate == null) != (tlsPrivateKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a private key");
        }
        if (workerThreads < 1 || workerQueue < 1) {
            throw new IllegalArgumentException("workerThreads and workerQueue must be positive");
        }
    }

    /** Defaults: SCRAM, 16 MiB messages, 10 minutes idle, 32 workers, 1024 queued, 10 s drain, direct forwarding,
     * multiplexing as {@code -Dvshard.pg.multiplex} says (default on). */
    public static PgProxyConfig of(PgAuthMethod method, List<PgUser> users) {
        return new PgProxyConfig(
                method,
                users.stream().collect(Collectors.toMap(PgUser::name, Function.identity())),
                16 << 20,
                Duration.ofMinutes(10),
                32,
                1024,
                "15.0 (vshard)",
                Duration.ofSeconds(10),
                null,
                null,
                true,
                Boolean.parseBoolean(System.getProperty(MULTIPLEX_PROPERTY, "true")));
    }

    /** A copy with another idle timeout. */
    public PgProxyConfig withIdleTimeout(Duration timeout) {
        return new PgProxyConfig(
                authMethod,
                users,
                maxMessageSize,
                timeout,
                workerThreads,
                workerQueue,
                serverVersion,
                drainTimeout,
                tlsCertificate,
                tlsPrivateKey,
                directForwarding,
                multiplexing);
    }

    /** A copy with another maximum message size. */
    public PgProxyConfig withMaxMessageSize(int bytes) {
        return new PgProxyConfig(
                authMethod,
                users,
                bytes,
                idleTimeout,
                workerThreads,
                workerQueue,
                serverVersion,
                drainTimeout,
                tlsCertificate,
                tlsPrivateKey,
                directForwarding,
                multiplexing);
    }

    /** A copy serving TLS with this PEM certificate chain and PKCS#8 key. */
    public PgProxyConfig withTls(Path certificate, Path privateKey) {
        return new PgProxyConfig(
                authMethod,
                users,
                maxMessageSize,
                idleTimeout,
                workerThreads,
                workerQueue,
                serverVersion,
                drainTimeout,
                certificate,
                privateKey,
                directForwarding,
                multiplexing);
    }

    /** A copy that forwards single-shard reads at the wire level ({@code true}) or runs all through the engine. */
    public PgProxyConfig withDirectForwarding(boolean on) {
        return new PgProxyConfig(
                authMethod,
                users,
                maxMessageSize,
                idleTimeout,
                workerThreads,
                workerQueue,
                serverVersion,
                drainTimeout,
                tlsCertificate,
                tlsPrivateKey,
                on,
                multiplexing);
    }

    /** A copy that shares pipelined backend connections between sessions ({@code true}) or not. */
    public PgProxyConfig withMultiplexing(boolean on) {
        return new PgProxyConfig(
                authMethod,
                users,
                maxMessageSize,
                idleTimeout,
                workerThreads,
                workerQueue,
                serverVersion,
                drainTimeout,
                tlsCertificate,
                tlsPrivateKey,
                directForwarding,
                on);
    }

    /** A copy with another drain timeout for {@link PgProxyServer#close()}. */
    public PgProxyConfig withDrainTimeout(Duration timeout) {
        return new PgProxyConfig(
                authMethod,
                users,
                maxMessageSize,
                idleTimeout,
                workerThreads,
                workerQueue,
                serverVersion,
                timeout,
                tlsCertificate,
                tlsPrivateKey,
                directForwarding,
                multiplexing);
    }
}
