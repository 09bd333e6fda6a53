package io.vshard.proxy.pgwire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A SCRAM-SHA-256 verifier (RFC 5802/7677) in PostgreSQL's {@code pg_authid} text form
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}: enough to check a client proof, never
 * enough to log in. SASLprep is not applied, so passwords should be ASCII (as PostgreSQL does for invalid UTF-8).
 */
public record ScramSecret(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {

    private static final String PREFIX = "SCRAM-SHA-256$";
    private static final int DEFAULT_ITERATIONS = 4096;

    /** Derives a secret from a password with a fresh random 16-byte salt and 4096 iterations. */
    public static ScramSecret derive(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return derive(password, salt, DEFAULT_ITERATIONS);
    }

    /** Derives a secret from a password, salt and iteration count. */
    public static ScramSecret derive(String password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(password, salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key");
        return new ScramSecret(iterations, salt.clone(), sha256(clientKey), hmac(salted, "Server Key"));
    }

    /** Parses the {@code SCRAM-SHA-256$...} text form; throws IllegalArgumentException when malformed. */
    public static ScramSecret parse(String text) {
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 secret");
        }
        String[] parts = text.substring(PREFIX.length()).split("[$:]");
        if (parts.length != 4) {
            throw new IllegalArgumentException("malformed SCRAM-SHA-256 secret");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        return new ScramSecret(
                Integer.parseInt(parts[0]), b64.decode(parts[1]), b64.decode(parts[2]), b64.decode(parts[3]));
    }

    /** The {@code SCRAM-SHA-256$...} text form, as stored in PostgreSQL's pg_authid. */
    public String format() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                + b64.encodeToString(serverKey);
    }

    /** Whether a cleartext password matches this secret (used for the cleartext method). */
    public boolean matches(String password) {
        ScramSecret other = derive(password, salt, iterations);
        return MessageDigest.isEqual(storedKey, other.storedKey) && MessageDigest.isEqual(serverKey, other.serverKey);
    }

    @Override
    public String toString() {
        return "ScramSecret[iterations=" + iterations + "]";
    }

    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        try {
            SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return factory.generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }

    static byte[] hmac(byte[] key, String message) {
        return hmac(key, message.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
