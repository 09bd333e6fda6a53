package io.vshard.proxy.mysqlwire;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A user allowed through the proxy: the name, how the password is known (plain, or only as the
 * {@code mysql_native_password} hash SHA1(SHA1(password))), and the authentication plugin the server asks
 * this user for. Neither is ever logged.
 *
 * @param name the user name
 * @param password the plain password, or {@code null} when only the hash is known
 * @param nativeHash SHA1(SHA1(password)), 20 bytes, or {@code null} for the empty password
 * @param plugin the plugin asked for; a user known only by hash authenticates with {@code mysql_native_password}
 */
public record MySqlUser(String name, String password, byte[] nativeHash, AuthPlugin plugin) {
    /** Validates the fields. */
    public MySqlUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(plugin, "plugin");
        if (password == null && plugin != AuthPlugin.MYSQL_NATIVE_PASSWORD) {
            throw new IllegalArgumentException("user " + name + ": a hash-only user needs mysql_native_password");
        }
        if (nativeHash != null && nativeHash.length != 20) {
            throw new IllegalArgumentException("user " + name + ": a native hash has 20 bytes");
        }
        nativeHash = nativeHash == null ? null : nativeHash.clone();
    }

    /** A user with a plain password (may be empty, not null). */
    public MySqlUser(String name, String password, AuthPlugin plugin) {
        this(name, Objects.requireNonNull(password, "password"), PasswordScrambles.nativeHash(password), plugin);
    }

    /**
     * A user known only by the hash MySQL stores for {@code mysql_native_password}, written as {@code PASSWORD()}
     * prints it: {@code *} and 40 hex digits.
     *
     * @throws IllegalArgumentException naming the user when the hash is malformed
     */
    public static MySqlUser withNativeHash(String name, String printedHash) {
        if (printedHash == null || !printedHash.matches("\\*[0-9A-Fa-f]{40}")) {
            throw new IllegalArgumentException(
                    "user " + name + ": mysql_native_hash must be '*' and 40 hex digits, as PASSWORD('...') prints it");
        }
        return new MySqlUser(
                name, null, HexFormat.of().parseHex(printedHash.substring(1)), AuthPlugin.MYSQL_NATIVE_PASSWORD);
    }

    @Override
    public byte[] nativeHash() {
        return nativeHash == null ? null : nativeHash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MySqlUser u
                && name.equals(u.name)
                && Objects.equals(password, u.password)
                && java.util.Arrays.equals(nativeHash, u.nativeHash)
                && plugin == u.plugin;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, plugin);
    }

    @Override
    public String toString() {
        return "MySqlUser[name=" + name + ", plugin=" + plugin + "]";
    }
}
