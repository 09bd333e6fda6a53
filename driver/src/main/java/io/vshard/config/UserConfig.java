package io.vshard.config;

import java.util.List;

/**
 * A user the proxies authenticate.
 *
 * @param name the user name
 * @param password the clear-text password, or {@code null}; never printed
 * @param scramSecret the SCRAM-SHA-256 secret, or {@code null}; never printed
 * @param roles the roles (for example {@code admin})
 * @param mysqlNativeHash the MySQL {@code mysql_native_password} hash ({@code *} and 40 hex digits, as
 *     {@code PASSWORD('...')} prints it), or {@code null}; never printed
 */
public record UserConfig(String name, String password, String scramSecret, List<String> roles, String mysqlNativeHash) {
    public UserConfig {
        roles = List.copyOf(roles);
    }

    /** A user without a stored MySQL hash. */
    public UserConfig(String name, String password, String scramSecret, List<String> roles) {
        this(name, password, scramSecret, roles, null);
    }

    @Override
    public String toString() {
        return "UserConfig[" + name + ", roles=" + roles + "]";
    }
}
