package io.vshard.proxy.mysqlwire;

import java.util.Objects;

/**
 * A user allowed through the proxy: the name, the plain password (never logged) and the authentication
 * plugin the server asks this user for.
 */
public record MySqlUser(String name, String password, AuthPlugin plugin) {
    /** Validates the fields; the password may be empty but not null. */
    public MySqlUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(plugin, "plugin");
    }

    @Override
    public String toString() {
        return "MySqlUser[name=" + name + ", plugin=" + plugin + "]";
    }
}
