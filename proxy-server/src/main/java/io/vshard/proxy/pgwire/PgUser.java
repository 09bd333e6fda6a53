package io.vshard.proxy.pgwire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A proxy login: the name, its SCRAM secret and, only if md5 authentication is configured, PostgreSQL's
 * {@code md5<hex(md5(password || user))>} hash. No plain-text password is kept.
 */
public record PgUser(String name, ScramSecret scram, String md5Hash) {

    /** Derives both stored forms from a password (for configs and tests). */
    public static PgUser fromPassword(String name, String password) {
        return new PgUser(name, ScramSecret.derive(password), md5Hash(name, password));
    }

    /** PostgreSQL's stored md5 form for a user and password. */
    public static String md5Hash(String name, String password) {
        return "md5" + md5Hex((password + name).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "PgUser[" + name + "]";
    }

    static String md5Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }
}
