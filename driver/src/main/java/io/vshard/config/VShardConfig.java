package io.vshard.config;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRules;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed vshard configuration: how to reach each data source, where the default shard and the control
 * store live, which manifests and keys to load, and how each table is distributed. Immutable; paths are
 * absolute (relative ones were resolved against the configuration file's directory).
 *
 * @param file the configuration file, or {@code null} when parsed from text
 * @param dataSources the data sources by name, in file order
 * @param defaultShard where unsharded tables and catalog queries go
 * @param controlStore where the control store lives
 * @param manifests the manifest files
 * @param trustedKeys the public key files manifests must be signed with
 * @param tables the table rules
 * @param users the proxy users (may be empty)
 * @param proxy the proxy ports
 */
public record VShardConfig(
        Path file,
        Map<String, DataSourceConfig> dataSources,
        ShardLocation defaultShard,
        ControlStoreConfig controlStore,
        List<Path> manifests,
        List<Path> trustedKeys,
        TableRules tables,
        List<UserConfig> users,
        ProxyConfig proxy) {

    public VShardConfig {
        dataSources = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(dataSources));
        manifests = List.copyOf(manifests);
        trustedKeys = List.copyOf(trustedKeys);
        users = List.copyOf(users);
    }

    /** The data source named {@code name}. */
    public DataSourceConfig dataSource(String name) {
        DataSourceConfig ds = dataSources.get(name);
        if (ds == null) {
            throw new IllegalArgumentException("no data source named '" + name + "' (configured: "
                    + String.join(", ", dataSources.keySet()) + ")");
        }
        return ds;
    }
}
