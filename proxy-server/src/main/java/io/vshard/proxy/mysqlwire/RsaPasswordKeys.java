package io.vshard.proxy.mysqlwire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import javax.crypto.Cipher;

/**
 * The server's RSA key pair for the full {@code caching_sha2_password} exchange without TLS: the client
 * asks for the public key (PEM), sends RSA(password XOR nonce) with OAEP or PKCS#1 padding, and the
 * server decrypts it here.
 * Immutable and thread-safe; a new {@link Cipher} is made per decryption.
 */
final class RsaPasswordKeys {
    private final KeyPair keyPair;
    private final byte[] publicKeyPem;

    RsaPasswordKeys(KeyPair keyPair) {
        this.keyPair = keyPair;
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(keyPair.getPublic().getEncoded());
        String pem = "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
        this.publicKeyPem = pem.getBytes(StandardCharsets.US_ASCII);
    }

    static RsaPasswordKeys generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new RsaPasswordKeys(generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA missing from the JDK", e);
        }
    }

    byte[] publicKeyPem() {
        return publicKeyPem.clone();
    }

    /** Recovers the NUL-terminated password the client encrypted with the public key and the nonce. */
    String decryptPassword(byte[] encrypted, byte[] nonce) throws GeneralSecurityException {
        byte[] plain;
        try {
            plain = decrypt("RSA/ECB/OAEPWithSHA-1AndMGF1Padding", encrypted);
        } catch (GeneralSecurityException e) {
            // Clients talking to a server older than 8.0.5 (as announced) use PKCS#1 v1.5 padding.
            plain = decrypt("RSA/ECB/PKCS1Padding", encrypted);
        }
        int length = plain.length;
        for (int i = 0; i < plain.length; i++) {
            plain[i] = (byte) (plain[i] ^ nonce[i % nonce.length]);
            if (plain[i] == 0 && length == plain.length) {
                length = i;
            }
        }
        return new String(plain, 0, length, StandardCharsets.UTF_8);
    }

    private byte[] decrypt(String transformation, byte[] encrypted) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(transformation);
        cipher.init(Cipher.DECRYPT_MODE, keyPair.getPrivate());
        return cipher.doFinal(encrypted);
    }
}
