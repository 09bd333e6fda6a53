package io.vshard.manifest;

/**
 * Where a logical shard's rows live: a data source named in the configuration and a schema (PostgreSQL) or
 * database (MySQL) on it.
 *
 * @param dataSource the configured data source name
 * @param schema the schema or database name
 */
public record ShardLocation(String dataSource, String schema) {
    @Override
    public String toString() {
        return dataSource + "/" + schema;
    }
}
