package io.vshard.engine;

import io.vshard.config.DataSourceConfig;
import java.util.List;

/**
 * Where a statement that needs nothing from the engine runs: one PostgreSQL data source and schema, chosen by the
 * placement function. A wire-level proxy may send the client's own statement there unchanged, with the connection's
 * {@code search_path} set to {@code schema} and {@code settings} replayed, and relay the answer as is.
 *
 * @param dataSource the data source (its URL and credentials)
 * @param schema the schema the statement's tables resolve in
 * @param settings the session's remembered {@code SET} statements to replay after the schema, in order
 */
public record DirectRoute(DataSourceConfig dataSource, String schema, List<String> settings) {
    public DirectRoute {
        settings = List.copyOf(settings);
    }
}
