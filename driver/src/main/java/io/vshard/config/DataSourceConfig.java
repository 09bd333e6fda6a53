package io.vshard.config;

/**
 * One physical data source: a database server (and database) holding one or more logical shards.
 *
 * @param name the name manifests place shards on
 * @param url the JDBC URL
 * @param user the user, or {@code null}
 * @param password the password, or {@code null}; never printed
 * @param maxPoolSize the most connections vshard opens to it
 */
public record DataSourceConfig(String name, String url, String user, String password, int maxPoolSize) {

    /** The dialect told by the URL. */
    public Dialect dialect() {
        return Dialect.of(url);
    }

    @Override
    public String toString() {
        return "DataSourceConfig[" + name + ", " + url + ", user=" + user + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
