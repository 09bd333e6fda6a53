package io.vshard.config;

import java.util.List;

/**
 * A user the proxies authenticate.
 *
 * @param name the user name
 * @param password the clear-text password, or {@code null}; never printed
 * @param scramSecret the SCRAM-SHA-256 secret, or {@code null}; never printed
 * @param roles the roles (for example {@code admin})
 */
public record UserConfig(String name, String password, String scramSecret, List<String> roles) {
    public UserConfig {
        roles = List.copyOf(roles);
    }

    @Override
    public String toString() {
        return "UserConfig[" + name + ", roles=" + roles + "]";
    }
}
