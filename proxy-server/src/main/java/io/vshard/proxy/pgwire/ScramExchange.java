package io.vshard.proxy.pgwire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), without channel binding.
 *
 * <p>{@link #clientFirst} answers the server-first-message; {@link #clientFinal} checks the proof and returns the
 * server-final-message, or empty when the proof is wrong. For an unknown user the exchange runs against a mock
 * secret and always fails, so a client cannot probe which users exist. Not thread-safe; one per connection.
 */
final class ScramExchange {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ScramSecret secret;
    private final boolean mock;
    private String clientFirstBare;
    private String serverFirst;
    private String gs2Header;
    private String nonce;

    /** @param secret the user's secret, or null for an unknown user */
    ScramExchange(ScramSecret secret) {
        this.mock = secret == null;
        this.secret = mock ? ScramSecret.derive(randomNonce()) : secret;
    }

    /** Handles the client-first-message; throws IllegalArgumentException when malformed. */
    String clientFirst(String message) {
        int bare = gs2HeaderEnd(message);
        gs2Header = message.substring(0, bare);
        if (gs2Header.startsWith("p=")) {
            throw new IllegalArgumentException("channel binding is not supported");
        }
        clientFirstBare = message.substring(bare);
        String clientNonce = attribute(clientFirstBare, 'r');
        if (clientNonce == null || clientNonce.isEmpty()) {
            throw new IllegalArgumentException("client nonce missing");
        }
        nonce = clientNonce + randomNonce();
        serverFirst =
                "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(secret.salt()) + ",i=" + secret.iterations();
        return serverFirst;
    }

    /** Handles the client-final-message; returns the server-final-message when the proof is right. */
    Optional<String> clientFinal(String message) {
        int proofAt = message.lastIndexOf(",p=");
        if (serverFirst == null || proofAt < 0) {
            throw new IllegalArgumentException("malformed SCRAM client-final-message");
        }
        String withoutProof = message.substring(0, proofAt);
        String binding = attribute(withoutProof, 'c');
        String expectedBinding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
        if (!expectedBinding.equals(binding) || !nonce.equals(attribute(withoutProof, 'r'))) {
            throw new IllegalArgumentException("SCRAM channel binding or nonce mismatch");
        }
        byte[] proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
        byte[] authMessage =
                (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] signature = ScramSecret.hmac(secret.storedKey(), authMessage);
        if (proof.length != signature.length) {
            return Optional.empty();
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ signature[i]);
        }
        if (mock || !MessageDigest.isEqual(ScramSecret.sha256(clientKey), secret.storedKey())) {
            return Optional.empty();
        }
        byte[] serverSignature = ScramSecret.hmac(secret.serverKey(), authMessage);
        return Optional.of("v=" + Base64.getEncoder().encodeToString(serverSignature));
    }

    private static int gs2HeaderEnd(String message) {
        int first = message.indexOf(',');
        int second = first < 0 ? -1 : message.indexOf(',', first + 1);
        if (second < 0 || !(message.startsWith("n,") || message.startsWith("y,") || message.startsWith("p="))) {
            throw new IllegalArgumentException("malformed SCRAM client-first-message");
        }
        return second + 1;
    }

    private static String attribute(String message, char name) {
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        return null;
    }

    private static String randomNonce() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
