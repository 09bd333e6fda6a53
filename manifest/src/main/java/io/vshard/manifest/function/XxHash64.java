package io.vshard.manifest.function;

/**
 * XXH64 (seed 0) as specified by the xxHash project, over a byte array. Hand-written because it is
 * fifty lines, must be byte-exact and must not pull a dependency into the pure model; it is pinned by
 * golden vectors produced with the reference {@code xxhsum -H64}.
 */
public final class XxHash64 {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private XxHash64() {}

    /** Returns XXH64 of {@code input} with seed 0. */
    public static long hash(byte[] input) {
        int len = input.length;
        int i = 0;
        long h;
        if (len >= 32) {
            long v1 = P1 + P2;
            long v2 = P2;
            long v3 = 0;
            long v4 = -P1;
            int limit = len - 32;
            do {
                v1 = round(v1, le64(input, i));
                v2 = round(v2, le64(input, i + 8));
                v3 = round(v3, le64(input, i + 16));
                v4 = round(v4, le64(input, i + 24));
                i += 32;
            } while (i <= limit);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = merge(h, v1);
            h = merge(h, v2);
            h = merge(h, v3);
            h = merge(h, v4);
        } else {
            h = P5;
        }
        h += len;
        while (i + 8 <= len) {
            h ^= round(0, le64(input, i));
            h = Long.rotateLeft(h, 27) * P1 + P4;
            i += 8;
        }
        if (i + 4 <= len) {
            h ^= (le32(input, i) & 0xFFFFFFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            i += 4;
        }
        while (i < len) {
            h ^= (input[i] & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
            i++;
        }
        return avalanche(h);
    }

    /** Returns XXH64 of the 8-byte big-endian two's complement encoding of {@code value}. */
    public static long hashBigEndianLong(long value) {
        byte[] b = new byte[8];
        for (int k = 7; k >= 0; k--) {
            b[k] = (byte) value;
            value >>>= 8;
        }
        return hash(b);
    }

    /**
     * Returns XXH64 of the 16 bytes {@code a} then {@code b}, each big-endian: the same value as {@link
     * #hash(byte[])} of that array, without building it (the scenario dataset hashes two longs per row).
     */
    public static long hashBigEndianLongs(long a, long b) {
        long h = P5 + 16;
        h ^= round(0, Long.reverseBytes(a));
        h = Long.rotateLeft(h, 27) * P1 + P4;
        h ^= round(0, Long.reverseBytes(b));
        h = Long.rotateLeft(h, 27) * P1 + P4;
        return avalanche(h);
    }

    private static long round(long acc, long lane) {
        acc += lane * P2;
        return Long.rotateLeft(acc, 31) * P1;
    }

    private static long merge(long acc, long v) {
        acc ^= round(0, v);
        return acc * P1 + P4;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private static long le64(byte[] b, int i) {
        return (b[i] & 0xFFL)
                | (b[i + 1] & 0xFFL) << 8
                | (b[i + 2] & 0xFFL) << 16
                | (b[i + 3] & 0xFFL) << 24
                | (b[i + 4] & 0xFFL) << 32
                | (b[i + 5] & 0xFFL) << 40
                | (b[i + 6] & 0xFFL) << 48
                | (b[i + 7] & 0xFFL) << 56;
    }

    private static int le32(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }
}
