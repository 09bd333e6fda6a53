package io.vshard.it.mysqlwire;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A minimal hand-written MySQL client for feeding the proxy raw, possibly broken, packets. */
final class RawClient implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final DataInputStream in;

    RawClient(int port) throws IOException {
        this(port, 0);
    }

    /** A client whose socket receive buffer is {@code receiveBuffer} bytes (0: the system's default). */
    RawClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(20_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    /** Reads one packet's payload, or null at end of stream. */
    byte[] readPacket() throws IOException {
        byte[] header = new byte[4];
        int n = in.readNBytes(header, 0, 4);
        if (n < 4) {
            return null;
        }
        int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    void writePacket(int sequence, byte[] payload) throws IOException {
        out.write(new byte[] {
            (byte) payload.length, (byte) (payload.length >> 8), (byte) (payload.length >> 16), (byte) sequence
        });
        out.write(payload);
        out.flush();
    }

    /** Logs in with mysql_native_password; returns the server's reply (OK starts with 0x00). */
    byte[] login(String user, String password) throws IOException {
        byte[] greeting = readPacket();
        int at = 1;
        while (greeting[at] != 0) {
            at++;
        }
        at += 1 + 4;
        byte[] nonce = new byte[20];
        System.arraycopy(greeting, at, nonce, 0, 8);
        at += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
        System.arraycopy(greeting, at, nonce, 8, 12);
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        int caps = 0x0200 | 0x8000 | 0x80000 | 0x0008 | (1 << 24);
        response.writeBytes(new byte[] {(byte) caps, (byte) (caps >> 8), (byte) (caps >> 16), (byte) (caps >> 24)});
        response.writeBytes(new byte[] {0, 0, 0, 1, 45});
        response.writeBytes(new byte[23]);
        response.writeBytes(user.getBytes(StandardCharsets.UTF_8));
        response.write(0);
        byte[] scramble = scramble(password, nonce);
        response.write(scramble.length);
        response.writeBytes(scramble);
        response.write(0);
        response.writeBytes("mysql_native_password".getBytes(StandardCharsets.US_ASCII));
        response.write(0);
        writePacket(1, response.toByteArray());
        return readPacket();
    }

    private static byte[] scramble(String password, byte[] nonce) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] stage1 = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] stage2 = sha1.digest(stage1);
            sha1.update(nonce);
            byte[] mix = sha1.digest(stage2);
            byte[] out = Arrays.copyOf(stage1, stage1.length);
            for (int i = 0; i < out.length; i++) {
                out[i] ^= mix[i];
            }
            return out;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends a COM_QUERY. */
    void query(String sql) throws IOException {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[1 + text.length];
        payload[0] = 0x03;
        System.arraycopy(text, 0, payload, 1, text.length);
        writePacket(0, payload);
    }

    /**
     * Reads one text-protocol response (with DEPRECATE_EOF, as {@link #login} asks): the payloads of its rows'
     * first columns as strings, or throws when it is an error.
     */
    List<String> readRows() throws IOException {
        byte[] first = readPacket();
        if ((first[0] & 0xFF) == 0xFF) {
            throw new IOException("error " + new String(first, 9, first.length - 9, StandardCharsets.UTF_8));
        }
        int columns = first[0] & 0xFF;
        for (int i = 0; i < columns; i++) {
            readPacket();
        }
        List<String> rows = new ArrayList<>();
        while (true) {
            byte[] p = readPacket();
            if ((p[0] & 0xFF) == 0xFE && p.length < 0xFFFFFF) {
                return rows;
            }
            int length = p[0] & 0xFF;
            int at = 1;
            if (length == 0xFC) {
                length = (p[1] & 0xFF) | (p[2] & 0xFF) << 8;
                at = 3;
            } else if (length == 0xFD) {
                length = (p[1] & 0xFF) | (p[2] & 0xFF) << 8 | (p[3] & 0xFF) << 16;
                at = 4;
            }
            rows.add(new String(p, at, Math.min(length, p.length - at), StandardCharsets.UTF_8));
        }
    }

    /** Reads and discards everything until the server closes; returns whether it closed in time. */
    static boolean drainUntilClosed(InputStream in) {
        byte[] buf = new byte[8192];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
            return true;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
