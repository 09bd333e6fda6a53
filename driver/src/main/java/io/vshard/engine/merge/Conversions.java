package io.vshard.engine.merge;

import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Converts column values held as Java objects to what a JDBC getter asks for. Stateless. */
public final class Conversions {
    private Conversions() {}

    /** {@code getString}. */
    public static String string(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return v.toString();
    }

    /** {@code getBigDecimal}. */
    public static BigDecimal decimal(Object v) throws SQLException {
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return Values.decimal(n);
        }
        if (v instanceof Boolean b) {
            return b ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        try {
            return new BigDecimal(v.toString().trim());
        } catch (NumberFormatException e) {
            throw fail(v, "a number");
        }
    }

    /** {@code getLong} (and the narrower integer getters); 0 for NULL. */
    public static long integer(Object v) throws SQLException {
        if (v == null) {
            return 0;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        BigDecimal d = decimal(v);
        try {
            return d.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        } catch (ArithmeticException e) {
            throw fail(v, "a 64-bit integer");
        }
    }

    /** {@code getDouble}; 0 for NULL. */
    public static double real(Object v) throws SQLException {
        if (v == null) {
            return 0;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return decimal(v).doubleValue();
    }

    /** {@code getBoolean}; false for NULL. */
    public static boolean bool(Object v) throws SQLException {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        String s = v.toString().trim().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "t", "true", "1", "y", "yes", "on" -> true;
            case "f", "false", "0", "n", "no", "off" -> false;
            default -> throw fail(v, "a boolean");
        };
    }

    /** {@code getBytes}. */
    public static byte[] bytes(Object v) throws SQLException {
        if (v == null || v instanceof byte[]) {
            return (byte[]) v;
        }
        if (v instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        throw fail(v, "bytes");
    }

    /** {@code getTimestamp}. */
    public static Timestamp timestamp(Object v) throws SQLException {
        if (v == null || v instanceof Timestamp) {
            return (Timestamp) v;
        }
        if (v instanceof LocalDateTime t) {
            return Timestamp.valueOf(t);
        }
        if (v instanceof OffsetDateTime t) {
            return Timestamp.from(t.toInstant());
        }
        if (v instanceof Instant t) {
            return Timestamp.from(t);
        }
        if (v instanceof java.util.Date d) {
            return new Timestamp(d.getTime());
        }
        if (v instanceof LocalDate d) {
            return Timestamp.valueOf(d.atStartOfDay());
        }
        try {
            return Timestamp.valueOf(v.toString().trim());
        } catch (IllegalArgumentException e) {
            throw fail(v, "a timestamp");
        }
    }

    /** {@code getDate}. */
    public static Date date(Object v) throws SQLException {
        if (v == null || v instanceof Date) {
            return (Date) v;
        }
        if (v instanceof LocalDate d) {
            return Date.valueOf(d);
        }
        Timestamp t = timestamp(v);
        return Date.valueOf(t.toLocalDateTime().toLocalDate());
    }

    /** {@code getTime}. */
    public static Time time(Object v) throws SQLException {
        if (v == null || v instanceof Time) {
            return (Time) v;
        }
        if (v instanceof LocalTime t) {
            return Time.valueOf(t);
        }
        try {
            return Time.valueOf(v.toString().trim());
        } catch (IllegalArgumentException e) {
            return Time.valueOf(timestamp(v).toLocalDateTime().toLocalTime());
        }
    }

    /** {@code getObject(int, Class)}. */
    @SuppressWarnings("unchecked")
    public static <T> T as(Object v, Class<T> type) throws SQLException {
        if (v == null) {
            return null;
        }
        if (type.isInstance(v)) {
            return (T) v;
        }
        Object out;
        if (type == String.class) {
            out = string(v);
        } else if (type == Long.class) {
            out = integer(v);
        } else if (type == Integer.class) {
            out = Math.toIntExact(integer(v));
        } else if (type == Short.class) {
            out = (short) integer(v);
        } else if (type == Byte.class) {
            out = (byte) integer(v);
        } else if (type == Double.class) {
            out = real(v);
        } else if (type == Float.class) {
            out = (float) real(v);
        } else if (type == BigDecimal.class) {
            out = decimal(v);
        } else if (type == BigInteger.class) {
            out = decimal(v).toBigInteger();
        } else if (type == Boolean.class) {
            out = bool(v);
        } else if (type == byte[].class) {
            out = bytes(v);
        } else if (type == Timestamp.class) {
            out = timestamp(v);
        } else if (type == Date.class) {
            out = date(v);
        } else if (type == Time.class) {
            out = time(v);
        } else if (type == LocalDateTime.class) {
            out = timestamp(v).toLocalDateTime();
        } else if (type == LocalDate.class) {
            out = date(v).toLocalDate();
        } else if (type == LocalTime.class) {
            out = time(v).toLocalTime();
        } else if (type == Instant.class) {
            out = timestamp(v).toInstant();
        } else if (type == OffsetDateTime.class) {
            out = v instanceof OffsetDateTime o ? o : timestamp(v).toInstant().atOffset(ZoneOffset.UTC);
        } else if (type == UUID.class) {
            out = UUID.fromString(v.toString());
        } else {
            throw fail(v, type.getName());
        }
        return (T) out;
    }

    private static SQLException fail(Object v, String target) {
        return VShardSQLException.of(
                VShardState.CONVERSION, null, "a " + v.getClass().getSimpleName() + " value", target);
    }
}
