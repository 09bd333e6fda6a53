package io.vshard.manifest.codec;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.ManifestSignature;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys and signatures for manifests (the JDK's built-in provider). Public keys are stored as base64
 * X.509, private keys as base64 PKCS#8, one per file. Stateless and thread safe.
 */
public final class ManifestSigner {
    private ManifestSigner() {}

    /** A fresh Ed25519 key pair. */
    public static KeyPair generateKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is required of the Java 17 platform", e);
        }
    }

    /** Signs the manifest's canonical body and returns the manifest with its signature. */
    public static Manifest sign(Manifest manifest, PrivateKey key, PublicKey publicKey) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(ManifestCodec.canonicalBody(manifest).getBytes(StandardCharsets.UTF_8));
            String sig = Base64.getEncoder().encodeToString(s.sign());
            return manifest.withSignature(new ManifestSignature(keyId(publicKey), sig));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is a valid signature of {@code body} under {@code key}. */
    static boolean verifies(String body, String signature, PublicKey key) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(body.getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getDecoder().decode(signature.trim()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The key id: the first 16 hex digits of SHA-256 over the key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Encodes a public key for a {@code .pub} file. */
    public static String encodePublic(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /** Encodes a private key for a {@code .key} file. */
    public static String encodePrivate(PrivateKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /** Decodes a public key file's text. */
    public static PublicKey decodePublic(String text) {
        try {
            return KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(stripped(text))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key (base64 X.509 expected): " + e.getMessage());
        }
    }

    /** Decodes a private key file's text. */
    public static PrivateKey decodePrivate(String text) {
        try {
            return KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(stripped(text))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "not an Ed25519 private key (base64 PKCS#8 expected): " + e.getMessage());
        }
    }

    private static String stripped(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            String l = line.trim();
            if (!l.isEmpty() && !l.startsWith("#")) {
                b.append(l);
            }
        }
        return b.toString();
    }
}
