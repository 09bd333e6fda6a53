package io.vshard.manifest.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest of one row: the first 16 bytes of SHA-256 over the row's canonical encoding
 * ({@link RowEncoder}), kept as two 64-bit big-endian lanes.
 *
 * @param high bytes 0-7 of the SHA-256
 * @param low bytes 8-15 of the SHA-256
 */
public record RowDigest(long high, long low) {

    /** Digests a canonical row encoding. */
    public static RowDigest of(byte[] canonicalRow) {
        byte[] h = sha256().digest(canonicalRow);
        return new RowDigest(readLong(h, 0), readLong(h, 8));
    }

    /** Digests what {@code encoder} holds. */
    public static RowDigest of(RowEncoder encoder) {
        return of(encoder.toByteArray());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** 32 lower-case hex digits. */
    public String toHex() {
        return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
