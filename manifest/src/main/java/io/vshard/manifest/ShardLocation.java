package io.vshard.manifest;

import java.util.Objects;

/**
 * Where a logical shard's rows live: a data source named in the configuration and a schema (PostgreSQL) or
 * database (MySQL) on it.
 *
 * @param dataSource the configured data source name
 * @param schema the schema or database name
 */
public record ShardLocation(String dataSource, String schema) {
    // Written out, like LogicalShard's: both key maps on the statement path, where the generated forms were
    // measurable (they dispatch through a method handle per call).
    @Override
    public boolean equals(Object o) {
        return this == o
                || o instanceof ShardLocation l
                        && Objects.equals(dataSource, l.dataSource)
                        && Objects.equals(schema, l.schema);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(dataSource) + Objects.hashCode(schema);
    }

    @Override
    public String toString() {
        return dataSource + "/" + schema;
    }
}
