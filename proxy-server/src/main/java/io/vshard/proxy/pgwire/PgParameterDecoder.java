package io.vshard.proxy.pgwire;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Binds one Bind-message parameter to a JDBC {@link PreparedStatement}. Binary values of known types become typed
 * Java objects; text values of numeric, boolean, bytea and uuid types are parsed; every other text value is bound
 * as a string of type {@link Types#OTHER}, so the backend infers its type from the statement as PostgreSQL would.
 */
final class PgParameterDecoder {

    private PgParameterDecoder() {}

    /** Binds {@code value} (null = SQL NULL) of type {@code oid} (0 = unspecified) at JDBC index {@code index}. */
    static void bind(PreparedStatement ps, int index, byte[] value, int oid, boolean binary) throws SQLException {
        PgType type = PgType.byOid(oid);
        if (value == null) {
            ps.setNull(index, type == null ? Types.NULL : jdbcTypeOf(type));
            return;
        }
        if (binary) {
            if (type == null) {
                throw new SQLException("binary parameter of unsupported type " + oid, "0A000");
            }
            try {
                bindBinary(ps, index, ByteBuffer.wrap(value), type);
            } catch (java.nio.BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
                throw new SQLException("incorrect binary data format in bind parameter " + index, "22P03", e);
            }
            return;
        }
        String text = new String(value, StandardCharsets.UTF_8);
        if (type == null) {
            ps.setObject(index, text, Types.OTHER);
            return;
        }
        try {
            bindText(ps, index, text, type);
        } catch (IllegalArgumentException e) {
            throw new SQLException("invalid input syntax for type " + type.typeName, "22P02", e);
        }
    }

    private static void bindText(PreparedStatement ps, int index, String text, PgType type) throws SQLException {
        switch (type) {
            case INT2 -> ps.setShort(index, Short.parseShort(text.trim()));
            case INT4 -> ps.setInt(index, Integer.parseInt(text.trim()));
            case INT8 -> ps.setLong(index, Long.parseLong(text.trim()));
            case BOOL -> ps.setBoolean(index, parseBoolean(text));
            case BYTEA -> ps.setBytes(index, parseBytea(text));
            case UUID -> ps.setObject(index, java.util.UUID.fromString(text.trim()));
            case TEXT, VARCHAR, BPCHAR, NAME -> ps.setString(index, text);
            default -> ps.setObject(index, text, Types.OTHER);
        }
    }

    /** A value the backend should parse itself: bound as a string of type {@link Types#OTHER}. */
    private record Untyped(String text) {}

    private static void bindBinary(PreparedStatement ps, int index, ByteBuffer in, PgType type) throws SQLException {
        Object value = type.isArray() ? decodeArray(ps, in, type) : decodeBinary(in, type);
        if (in.hasRemaining()) {
            throw new SQLException("incorrect binary data format in bind parameter " + index, "22P03");
        }
        if (value instanceof Untyped untyped) {
            ps.setObject(index, untyped.text(), Types.OTHER);
        } else if (value instanceof java.sql.Array array) {
            ps.setArray(index, array);
        } else {
            ps.setObject(index, value);
        }
    }

    private static java.sql.Array decodeArray(PreparedStatement ps, ByteBuffer in, PgType type) throws SQLException {
        int dimensions = in.getInt();
        in.getInt();
        PgType element = PgType.byOid(in.getInt());
        if (dimensions > 1 || element == null || element.isArray()) {
            throw new SQLException("binary array parameter of this shape is not supported", "0A000");
        }
        int length = 0;
        if (dimensions == 1) {
            length = in.getInt();
            in.getInt();
        }
        if (length < 0 || length > in.remaining() / 4) {
            throw new SQLException("incorrect binary data format in array parameter", "22P03");
        }
        Object[] elements = new Object[length];
        for (int i = 0; i < length; i++) {
            int size = in.getInt();
            if (size >= 0) {
                ByteBuffer slice = in.slice();
                slice.limit(size);
                in.position(in.position() + size);
                Object value = decodeBinary(slice, element);
                elements[i] = value instanceof Untyped untyped ? untyped.text() : value;
            }
        }
        return ps.getConnection().createArrayOf(element.typeName, elements);
    }

    private static Object decodeBinary(ByteBuffer in, PgType type) throws SQLException {
        switch (type) {
            case BOOL:
                return in.get() != 0;
            case INT2:
                return in.getShort();
            case INT4:
                return in.getInt();
            case INT8:
                return in.getLong();
            case OID:
                return in.getInt() & 0xFFFF_FFFFL;
            case FLOAT4:
                return in.getFloat();
            case FLOAT8:
                return in.getDouble();
            case NUMERIC:
                BigDecimal value = PgValueEncoder.numericValue(in);
                return value == null ? new Untyped("NaN") : value;
            case BYTEA:
                return remaining(in);
            case UUID:
                return new UUID(in.getLong(), in.getLong());
            case DATE:
                return PgValueEncoder.PG_EPOCH.toLocalDate().plusDays(in.getInt());
            case TIMESTAMP:
                return PgValueEncoder.PG_EPOCH.plus(in.getLong(), ChronoUnit.MICROS);
            case TIMESTAMPTZ:
                return PgValueEncoder.PG_EPOCH
                        .plus(in.getLong(), ChronoUnit.MICROS)
                        .atOffset(ZoneOffset.UTC);
            case TIME:
                return java.time.LocalTime.ofNanoOfDay(in.getLong() * 1000);
            case JSONB:
                in.get();
                return new Untyped(new String(remaining(in), StandardCharsets.UTF_8));
            case TEXT:
            case VARCHAR:
            case BPCHAR:
            case NAME:
                return new String(remaining(in), StandardCharsets.UTF_8);
            case JSON:
            case UNKNOWN:
            case XML:
                return new Untyped(new String(remaining(in), StandardCharsets.UTF_8));
            default:
                throw new SQLException("binary parameter of unsupported type " + type.typeName, "0A000");
        }
    }

    private static byte[] remaining(ByteBuffer in) {
        byte[] bytes = new byte[in.remaining()];
        in.get(bytes);
        return bytes;
    }

    private static boolean parseBoolean(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "t", "true", "yes", "y", "on", "1":
                return true;
            case "f", "false", "no", "n", "off", "0":
                return false;
            default:
                throw new IllegalArgumentException("not a boolean");
        }
    }

    private static byte[] parseBytea(String text) {
        if (text.startsWith("\\x")) {
            return HexFormat.of().parseHex(text.substring(2));
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int jdbcTypeOf(PgType type) {
        switch (type) {
            case BOOL:
                return Types.BOOLEAN;
            case INT2:
                return Types.SMALLINT;
            case INT4:
                return Types.INTEGER;
            case INT8:
                return Types.BIGINT;
            case FLOAT4:
                return Types.REAL;
            case FLOAT8:
                return Types.DOUBLE;
            case NUMERIC:
                return Types.NUMERIC;
            case BYTEA:
                return Types.BINARY;
            case TEXT:
            case VARCHAR:
            case BPCHAR:
                return Types.VARCHAR;
            case DATE:
                return Types.DATE;
            case TIMESTAMP:
                return Types.TIMESTAMP;
            case TIMESTAMPTZ:
                return Types.TIMESTAMP_WITH_TIMEZONE;
            default:
                return Types.OTHER;
        }
    }
}
