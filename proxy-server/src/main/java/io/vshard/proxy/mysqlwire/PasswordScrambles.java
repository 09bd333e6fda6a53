package io.vshard.proxy.mysqlwire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The challenge-response computations of {@code mysql_native_password} and {@code caching_sha2_password}.
 * For {@code mysql_native_password} the proxy needs only SHA1(SHA1(password)), what MySQL itself stores:
 * the client's answer XOR SHA1(nonce + hash) recovers SHA1(password), whose SHA1 must equal the hash.
 * Comparisons are constant time.
 */
final class PasswordScrambles {
    private PasswordScrambles() {}

    /** SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))); empty for an empty password. */
    static byte[] nativePassword(String password, byte[] nonce) {
        if (password.isEmpty()) {
            return new byte[0];
        }
        byte[] stage1 = digest("SHA-1", password.getBytes(StandardCharsets.UTF_8));
        byte[] stage2 = digest("SHA-1", stage1);
        return xor(stage1, digest("SHA-1", nonce, stage2));
    }

    /** SHA1(SHA1(password)), or {@code null} for the empty password (which has no hash). */
    static byte[] nativeHash(String password) {
        if (password.isEmpty()) {
            return null;
        }
        return digest("SHA-1", digest("SHA-1", password.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether {@code answer} is what a client knowing the password of {@code hash} (SHA1(SHA1(password)), or
     * {@code null} for the empty password) sends for {@code nonce}.
     */
    static boolean nativeMatches(byte[] hash, byte[] nonce, byte[] answer) {
        if (hash == null) {
            return answer.length == 0;
        }
        if (answer.length != 20) {
            return false;
        }
        byte[] stage1 = xor(answer, digest("SHA-1", nonce, hash));
        return MessageDigest.isEqual(hash, digest("SHA-1", stage1));
    }

    /** SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce); empty for an empty password. */
    static byte[] cachingSha2(String password, byte[] nonce) {
        if (password.isEmpty()) {
            return new byte[0];
        }
        byte[] stage1 = digest("SHA-256", password.getBytes(StandardCharsets.UTF_8));
        byte[] stage2 = digest("SHA-256", stage1);
        return xor(stage1, digest("SHA-256", stage2, nonce));
    }

    static boolean matches(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    private static byte[] digest(String algorithm, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            for (byte[] part : parts) {
                md.update(part);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }
}
