package io.vshard.manifest.function;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * The shard-key values of one row: {@code creator_id} and, for geo-aware layouts, {@code region}.
 *
 * @param creatorId the creator id, a signed 64-bit integer
 * @param region the region code, upper-cased and trimmed, or {@code null} when unknown
 */
public record ShardKey(long creatorId, String region) {

    public ShardKey {
        region = normalizeRegion(region);
    }

    /** A key without a region. */
    public static ShardKey of(long creatorId) {
        return new ShardKey(creatorId, null);
    }

    /** A key with a region (may be {@code null}). */
    public static ShardKey of(long creatorId, String region) {
        return new ShardKey(creatorId, region);
    }

    /**
     * Converts a bound or literal value to a creator id, so that a key routes the same whether it came
     * as text, an integer or an integral decimal.
     *
     * @throws InvalidShardKeyException if the value is not an integer in the signed 64-bit range
     */
    public static long creatorIdOf(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        try {
            BigDecimal d;
            if (value instanceof BigDecimal bd) {
                d = bd;
            } else if (value instanceof BigInteger bi) {
                d = new BigDecimal(bi);
            } else if (value instanceof Double || value instanceof Float) {
                d = BigDecimal.valueOf(((Number) value).doubleValue());
            } else if (value instanceof CharSequence s) {
                d = new BigDecimal(s.toString().trim());
            } else {
                throw new InvalidShardKeyException("creator_id must be an integer, got "
                        + (value == null ? "NULL" : value.getClass().getSimpleName()));
            }
            return d.stripTrailingZeros().toBigIntegerExact().longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new InvalidShardKeyException(
                    "creator_id must be an integer in the signed 64-bit range, got '" + value + "'");
        }
    }

    static String normalizeRegion(String region) {
        if (region == null) {
            return null;
        }
        String r = region.trim().toUpperCase(Locale.ROOT);
        return r.isEmpty() ? null : r;
    }
}
