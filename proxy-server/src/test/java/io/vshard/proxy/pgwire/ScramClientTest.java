package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The proxy's SCRAM client (its logins to backends) against the proxy's SCRAM server side. */
class ScramClientTest {

    @Test
    void theRightPasswordLogsInAndTheServerIsVerified() {
        ScramExchange server = new ScramExchange(ScramSecret.derive("s3cret"));
        ScramClient client = new ScramClient("s3cret");
        String serverFirst = server.clientFirst(clientFirst(client.initialResponse()));
        Optional<String> serverFinal =
                server.clientFinal(new String(client.finalMessage(serverFirst), StandardCharsets.UTF_8));
        assertThat(serverFinal).isPresent();
        assertThat(client.verifyServer(serverFinal.get())).isTrue();
        assertThat(client.verifyServer("v=AAAA"))
                .as("a server that does not know the password")
                .isFalse();
    }

    @Test
    void aWrongPasswordIsRefused() {
        ScramExchange server = new ScramExchange(ScramSecret.derive("s3cret"));
        ScramClient client = new ScramClient("guess");
        String serverFirst = server.clientFirst(clientFirst(client.initialResponse()));
        assertThat(server.clientFinal(new String(client.finalMessage(serverFirst), StandardCharsets.UTF_8)))
                .isEmpty();
    }

    /** The client-first-message inside a SASLInitialResponse body (mechanism, NUL, int32 length, message). */
    private static String clientFirst(byte[] initial) {
        int zero = 0;
        while (initial[zero] != 0) {
            zero++;
        }
        assertThat(new String(initial, 0, zero, StandardCharsets.US_ASCII)).isEqualTo("SCRAM-SHA-256");
        int length = ByteBuffer.wrap(initial, zero + 1, 4).getInt();
        assertThat(length).isEqualTo(initial.length - zero - 5);
        return new String(initial, zero + 5, length, StandardCharsets.UTF_8);
    }
}
