package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Turns one ResultSet column value into PostgreSQL's text or binary wire form for a given {@link PgType}.
 * Timestamps with time zone are sent in UTC (the proxy reports {@code TimeZone=UTC}). Stateless.
 */
final class PgValueEncoder {

    static final LocalDateTime PG_EPOCH = LocalDateTime.of(2000, 1, 1, 0, 0);
    static final DateTimeFormatter TIMESTAMP_TEXT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .toFormatter();
    private static final DateTimeFormatter TIME_TEXT = new DateTimeFormatterBuilder()
            .appendPattern("HH:mm:ss")
            .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .toFormatter();

    private PgValueEncoder() {}

    /** Whether {@link #encode} can produce the binary form of this type. */
    static boolean supportsBinary(PgType type) {
        if (type == null) {
            return false;
        }
        if (type.isArray()) {
            return supportsBinary(PgType.byOid(type.elementOid));
        }
        switch (type) {
            case INTERVAL:
            case REGPROC:
            case REGCLASS:
            case REGTYPE:
            case XML:
            case CHAR:
                return false;
            default:
                return true;
        }
    }

    /** Encodes column {@code column} of the current row; null for SQL NULL. */
    static byte[] encode(ResultSet rs, int column, PgType type, boolean binary) throws SQLException {
        if (!binary) {
            String text = text(rs, column, type);
            return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        }
        if (type.isArray()) {
            Array array = rs.getArray(column);
            return array == null ? null : binaryArray((Object[]) array.getArray(), PgType.byOid(type.elementOid));
        }
        Object value = read(rs, column, type);
        return value == null ? null : binary(value, type);
    }

    private static String text(ResultSet rs, int column, PgType type) throws SQLException {
        switch (type) {
            case BOOL:
            case BYTEA:
            case NUMERIC:
            case DATE:
            case TIMESTAMP:
            case TIMESTAMPTZ:
            case TIME:
            case INT2:
            case INT4:
            case INT8:
                Object value = read(rs, column, type);
                return value == null ? null : textOf(value);
            default:
                return rs.getString(column);
        }
    }

    private static Object read(ResultSet rs, int column, PgType type) throws SQLException {
        Object value;
        switch (type) {
            case BOOL -> value = rs.getBoolean(column);
            case INT2 -> value = rs.getShort(column);
            case INT4 -> value = rs.getInt(column);
            case INT8, OID -> value = rs.getLong(column);
            case FLOAT4 -> value = rs.getFloat(column);
            case FLOAT8 -> value = rs.getDouble(column);
            case NUMERIC -> value = readNumeric(rs, column);
            case BYTEA -> value = rs.getBytes(column);
            case DATE -> value = rs.getObject(column, LocalDate.class);
            case TIME -> value = rs.getObject(column, LocalTime.class);
            case TIMETZ -> value = rs.getObject(column, OffsetTime.class);
            case TIMESTAMP -> value = rs.getObject(column, LocalDateTime.class);
            case TIMESTAMPTZ -> value = rs.getObject(column, OffsetDateTime.class);
            default -> value = rs.getString(column);
        }
        return rs.wasNull() ? null : value;
    }

    private static Object readNumeric(ResultSet rs, int column) throws SQLException {
        try {
            return rs.getBigDecimal(column);
        } catch (SQLException e) {
            // NaN and infinities have no BigDecimal; their text form is what PostgreSQL sends anyway.
            return rs.getString(column);
        }
    }

    static String textOf(Object value) {
        if (value instanceof Boolean b) {
            return b ? "t" : "f";
        } else if (value instanceof BigDecimal d) {
            return d.toPlainString();
        } else if (value instanceof byte[] bytes) {
            return "\\x" + HexFormat.of().formatHex(bytes);
        } else if (value instanceof LocalDateTime t) {
            return TIMESTAMP_TEXT.format(t);
        } else if (value instanceof OffsetDateTime t) {
            return TIMESTAMP_TEXT.format(t.withOffsetSameInstant(ZoneOffset.UTC)) + "+00";
        } else if (value instanceof LocalTime t) {
            return TIME_TEXT.format(t);
        }
        return value.toString();
    }

    static byte[] binary(Object value, PgType type) {
        switch (type) {
            case BOOL:
                return new byte[] {(byte) (asBoolean(value) ? 1 : 0)};
            case INT2:
                return ByteBuffer.allocate(2)
                        .putShort(((Number) value).shortValue())
                        .array();
            case INT4:
            case OID:
                return ByteBuffer.allocate(4)
                        .putInt(((Number) value).intValue())
                        .array();
            case INT8:
                return ByteBuffer.allocate(8)
                        .putLong(((Number) value).longValue())
                        .array();
            case FLOAT4:
                return ByteBuffer.allocate(4)
                        .putFloat(((Number) value).floatValue())
                        .array();
            case FLOAT8:
                return ByteBuffer.allocate(8)
                        .putDouble(((Number) value).doubleValue())
                        .array();
            case NUMERIC:
                return numeric(value instanceof BigDecimal d ? d : null, value.toString());
            case BYTEA:
                return (byte[]) value;
            case UUID:
                UUID uuid = value instanceof UUID u ? u : java.util.UUID.fromString(value.toString());
                return ByteBuffer.allocate(16)
                        .putLong(uuid.getMostSignificantBits())
                        .putLong(uuid.getLeastSignificantBits())
                        .array();
            case DATE:
                return ByteBuffer.allocate(4)
                        .putInt((int) ChronoUnit.DAYS.between(PG_EPOCH.toLocalDate(), (LocalDate) value))
                        .array();
            case TIME:
                return ByteBuffer.allocate(8)
                        .putLong(((LocalTime) value).toNanoOfDay() / 1000)
                        .array();
            case TIMETZ:
                OffsetTime time = (OffsetTime) value;
                return ByteBuffer.allocate(12)
                        .putLong(time.toLocalTime().toNanoOfDay() / 1000)
                        .putInt(-time.getOffset().getTotalSeconds())
                        .array();
            case TIMESTAMP:
                return micros(ChronoUnit.MICROS.between(PG_EPOCH, (LocalDateTime) value));
            case TIMESTAMPTZ:
                return micros(ChronoUnit.MICROS.between(PG_EPOCH.atOffset(ZoneOffset.UTC), (OffsetDateTime) value));
            case JSONB:
                byte[] json = value.toString().getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[json.length + 1];
                out[0] = 1;
                System.arraycopy(json, 0, out, 1, json.length);
                return out;
            default:
                return value instanceof byte[] b ? b : textOf(value).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static boolean asBoolean(Object value) {
        return value instanceof Boolean b ? b : "t".equals(value) || "true".equals(value);
    }

    private static byte[] micros(long micros) {
        return ByteBuffer.allocate(8).putLong(micros).array();
    }

    /** PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits. */
    static byte[] numeric(BigDecimal value, String text) {
        if (value == null) {
            if (!"NaN".equals(text)) {
                throw new IllegalArgumentException("numeric infinity has no binary form here");
            }
            return ByteBuffer.allocate(8)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0xC000)
                    .putShort((short) 0)
                    .array();
        }
        int dscale = Math.max(0, value.scale());
        BigDecimal abs = value.abs();
        String plain = abs.setScale(dscale).toPlainString();
        int dot = plain.indexOf('.');
        String intPart = dot < 0 ? plain : plain.substring(0, dot);
        String fracPart = dot < 0 ? "" : plain.substring(dot + 1);
        intPart = intPart.replaceFirst("^0+", "");
        intPart = "0".repeat((4 - intPart.length() % 4) % 4) + intPart;
        fracPart = fracPart + "0".repeat((4 - fracPart.length() % 4) % 4);
        String all = intPart + fracPart;
        int groups = all.length() / 4;
        int weight = intPart.length() / 4 - 1;
        int first = 0;
        while (first < groups && all.startsWith("0000", first * 4)) {
            first++;
            weight--;
        }
        int last = groups;
        while (last > first && all.startsWith("0000", (last - 1) * 4)) {
            last--;
        }
        if (first == last) {
            weight = 0;
        }
        ByteBuf buf = Unpooled.buffer(8 + 2 * (last - first));
        buf.writeShort(last - first);
        buf.writeShort(weight);
        buf.writeShort(value.signum() < 0 ? 0x4000 : 0);
        buf.writeShort(dscale);
        for (int i = first; i < last; i++) {
            buf.writeShort(Integer.parseInt(all.substring(i * 4, i * 4 + 4)));
        }
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    /** Decodes PostgreSQL's binary numeric; NaN comes back as null. */
    static BigDecimal numericValue(ByteBuffer in) {
        int count = in.getShort();
        int weight = in.getShort();
        int sign = in.getShort() & 0xFFFF;
        int dscale = in.getShort();
        if (sign == 0xC000) {
            return null;
        }
        BigInteger unscaled = BigInteger.ZERO;
        for (int i = 0; i < count; i++) {
            unscaled = unscaled.multiply(BigInteger.valueOf(10_000)).add(BigInteger.valueOf(in.getShort()));
        }
        BigDecimal value = new BigDecimal(unscaled).movePointRight(4 * (weight - count + 1));
        value = value.setScale(dscale, java.math.RoundingMode.UNNECESSARY);
        return sign == 0x4000 ? value.negate() : value;
    }

    private static byte[] binaryArray(Object[] elements, PgType elementType) {
        boolean nulls = false;
        for (Object element : elements) {
            nulls |= element == null;
        }
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(elements.length == 0 ? 0 : 1);
        buf.writeInt(nulls ? 1 : 0);
        buf.writeInt(elementType.oid);
        if (elements.length > 0) {
            buf.writeInt(elements.length);
            buf.writeInt(1);
        }
        for (Object element : elements) {
            if (element == null) {
                buf.writeInt(-1);
            } else {
                byte[] bytes = binary(javaTimeOf(element, elementType), elementType);
                buf.writeInt(bytes.length);
                buf.writeBytes(bytes);
            }
        }
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    /** JDBC arrays hold java.sql date/time objects; the binary encoders take java.time ones. */
    private static Object javaTimeOf(Object element, PgType elementType) {
        if (element instanceof java.sql.Timestamp t) {
            return elementType == PgType.TIMESTAMPTZ ? t.toInstant().atOffset(ZoneOffset.UTC) : t.toLocalDateTime();
        } else if (element instanceof java.sql.Date d) {
            return d.toLocalDate();
        } else if (element instanceof java.sql.Time t) {
            return t.toLocalTime();
        }
        return element;
    }
}
