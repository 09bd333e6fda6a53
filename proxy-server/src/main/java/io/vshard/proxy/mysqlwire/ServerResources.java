package io.vshard.proxy.mysqlwire;

import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What all connections of one server share: the configuration, the bounded JDBC executor, the RSA keys,
 * the users whose caching_sha2 secret is cached (fast path allowed), the connection id counter, and the
 * backend links single-shard reads are relayed over, and what was relayed.
 */
record ServerResources(
        MySqlProxyConfig config,
        ExecutorService jdbcExecutor,
        RsaPasswordKeys rsaKeys,
        Set<String> sha2Cache,
        AtomicInteger connectionIds,
        BackendLinks links,
        RelayCounts relayCounts) {}
