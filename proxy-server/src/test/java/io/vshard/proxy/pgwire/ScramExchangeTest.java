package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScramExchangeTest {

    private static final byte[] RFC_SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");

    @Test
    void matchesTheRfc7677TestVector() {
        ScramSecret secret = ScramSecret.derive("pencil", RFC_SALT, 4096);
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
                + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] salted = ScramSecret.saltedPassword("pencil", RFC_SALT, 4096);
        byte[] clientKey = ScramSecret.hmac(salted, "Client Key");
        byte[] signature = ScramSecret.hmac(secret.storedKey(), authMessage.getBytes(StandardCharsets.UTF_8));
        byte[] proof = xor(clientKey, signature);
        assertThat(Base64.getEncoder().encodeToString(proof)).isEqualTo("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        byte[] serverSignature = ScramSecret.hmac(secret.serverKey(), authMessage.getBytes(StandardCharsets.UTF_8));
        assertThat(Base64.getEncoder().encodeToString(serverSignature))
                .isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }

    @Test
    void secretTextFormRoundTripsAndChecksCleartext() {
        ScramSecret secret = ScramSecret.derive("pencil");
        ScramSecret parsed = ScramSecret.parse(secret.format());
        assertThat(parsed.format()).isEqualTo(secret.format()).startsWith("SCRAM-SHA-256$4096:");
        assertThat(parsed.matches("pencil")).isTrue();
        assertThat(parsed.matches("pencil2")).isFalse();
        assertThat(secret.toString()).doesNotContain(Base64.getEncoder().encodeToString(secret.storedKey()));
    }

    @Test
    void fullExchangeSucceedsWithTheRightPasswordOnly() {
        ScramSecret secret = ScramSecret.derive("pencil");
        assertThat(exchange(secret, "pencil")).isPresent();
        assertThat(exchange(secret, "wrong")).isEmpty();
        assertThat(exchange(null, "pencil")).as("unknown user").isEmpty();
    }

    @Test
    void rejectsChannelBindingAndTamperedNonces() {
        ScramExchange exchange = new ScramExchange(ScramSecret.derive("x"));
        assertThatThrownBy(() -> exchange.clientFirst("p=tls-server-end-point,,n=,r=abc"))
                .isInstanceOf(IllegalArgumentException.class);
        ScramExchange other = new ScramExchange(ScramSecret.derive("x"));
        other.clientFirst("n,,n=,r=abc");
        assertThatThrownBy(() -> other.clientFinal("c=biws,r=abcSOMETHINGELSE,p=AAAA"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Plays the client side of RFC 5802 and returns the server-final-message if the server accepted. */
    private static Optional<String> exchange(ScramSecret secret, String password) {
        ScramExchange server = new ScramExchange(secret);
        String clientFirstBare = "n=,r=clientnonce123";
        String serverFirst = server.clientFirst("n,," + clientFirstBare);
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        int saltAt = serverFirst.indexOf(",s=") + 3;
        byte[] salt = Base64.getDecoder().decode(serverFirst.substring(saltAt, serverFirst.indexOf(",i=")));
        int iterations = Integer.parseInt(serverFirst.substring(serverFirst.indexOf(",i=") + 3));
        String withoutProof = "c=biws,r=" + nonce;
        byte[] authMessage =
                (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] salted = ScramSecret.saltedPassword(password, salt, iterations);
        byte[] clientKey = ScramSecret.hmac(salted, "Client Key");
        byte[] proof = xor(clientKey, ScramSecret.hmac(ScramSecret.sha256(clientKey), authMessage));
        Optional<String> result =
                server.clientFinal(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof));
        result.ifPresent(serverFinal -> {
            byte[] expected = ScramSecret.hmac(ScramSecret.hmac(salted, "Server Key"), authMessage);
            assertThat(serverFinal).isEqualTo("v=" + Base64.getEncoder().encodeToString(expected));
        });
        return result;
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }
}
