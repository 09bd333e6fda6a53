package io.vshard.config;

/**
 * Where the control store lives: manifests, cohort states, router heartbeats.
 *
 * @param url the JDBC URL (an embedded H2 file next to the configuration when the section is absent)
 * @param user the user, or {@code null}
 * @param password the password, or {@code null}; never printed
 */
public record ControlStoreConfig(String url, String user, String password) {
    @Override
    public String toString() {
        return "ControlStoreConfig[" + url + ", user=" + user + "]";
    }
}
