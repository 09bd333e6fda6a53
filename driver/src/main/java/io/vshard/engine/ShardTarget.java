package io.vshard.engine;

import io.vshard.config.DataSourceConfig;

/**
 * Where the router sends a read that one physical shard answers alone, and the text to run there, for front
 * ends that forward such reads to the backend themselves (the MySQL proxy relays them packet by packet).
 *
 * @param dataSource the physical data source the placement function chose
 * @param schema the shard's schema (MySQL: database) on that data source
 * @param sql the statement as the shard runs it (tables qualified with {@code schema} when
 *     {@code schemaQualified})
 * @param schemaQualified whether {@code sql} names the schema of every table, so it runs on a connection pointed
 *     at any schema
 */
public record ShardTarget(DataSourceConfig dataSource, String schema, String sql, boolean schemaQualified) {}
