package io.vshard.proxy.mysqlwire;

import java.util.Arrays;
import java.util.Optional;

/** The authentication plugins the proxy speaks, by their wire names. */
public enum AuthPlugin {
    /** SHA-1 challenge-response; one round trip. */
    MYSQL_NATIVE_PASSWORD("mysql_native_password"),
    /** SHA-256 challenge-response with a fast path for cached users and an RSA full path otherwise. */
    CACHING_SHA2_PASSWORD("caching_sha2_password");

    private final String wireName;

    AuthPlugin(String wireName) {
        this.wireName = wireName;
    }

    /** The plugin name as it appears in handshake packets. */
    public String wireName() {
        return wireName;
    }

    static Optional<AuthPlugin> byWireName(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
    }
}
