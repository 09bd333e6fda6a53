package io.vshard.sql;

import io.vshard.manifest.window.WindowId;

/**
 * A shard key a write touches: what the routing-metadata journal records.
 *
 * @param table the table, lower case
 * @param creatorId the creator id
 * @param region the region, or {@code null}
 * @param window the ledger window, or {@code null}
 */
public record TouchedKey(String table, long creatorId, String region, WindowId window) {}
