package io.vshard.proxy.pgwire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The client side of one SCRAM-SHA-256 login (RFC 5802, RFC 7677) without channel binding, for the proxy's own
 * connections to a backend. Not thread-safe; one per login.
 */
final class ScramClient {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String password;
    private final String clientFirstBare;
    private byte[] serverSignature;

    ScramClient(String password) {
        this.password = password;
        byte[] nonce = new byte[18];
        RANDOM.nextBytes(nonce);
        this.clientFirstBare = "n=,r=" + Base64.getEncoder().encodeToString(nonce);
    }

    /** The SASLInitialResponse body: mechanism, length and client-first-message. */
    byte[] initialResponse() {
        byte[] first = ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
        byte[] mechanism = "SCRAM-SHA-256".getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(mechanism.length + 1 + 4 + first.length);
        out.put(mechanism).put((byte) 0).putInt(first.length).put(first);
        return out.array();
    }

    /** The client-final-message answering {@code serverFirst}. */
    byte[] finalMessage(String serverFirst) {
        String nonce = attribute(serverFirst, 'r');
        byte[] salt = Base64.getDecoder().decode(attribute(serverFirst, 's'));
        int iterations = Integer.parseInt(attribute(serverFirst, 'i'));
        if (!nonce.startsWith(clientFirstBare.substring(5))) {
            throw new IllegalArgumentException("the server nonce does not extend the client's");
        }
        byte[] salted = ScramSecret.saltedPassword(password, salt, iterations);
        byte[] clientKey = ScramSecret.hmac(salted, "Client Key");
        byte[] storedKey = ScramSecret.sha256(clientKey);
        String withoutProof = "c=biws,r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = ScramSecret.hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        serverSignature = ScramSecret.hmac(ScramSecret.hmac(salted, "Server Key"), authMessage);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the server-final-message proves the server knew the password too. */
    boolean verifyServer(String serverFinal) {
        String v = attribute(serverFinal, 'v');
        return v != null
                && serverSignature != null
                && MessageDigest.isEqual(serverSignature, Base64.getDecoder().decode(v));
    }

    private static String attribute(String message, char name) {
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        throw new IllegalArgumentException("SCRAM attribute " + name + " missing");
    }
}
