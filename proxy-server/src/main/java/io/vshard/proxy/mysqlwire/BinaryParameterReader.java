package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/** Binds one binary-protocol parameter value (COM_STMT_EXECUTE) to a JDBC prepared statement. */
final class BinaryParameterReader {
    private static final int UNSIGNED = 0x8000;

    private BinaryParameterReader() {}

    static void bind(PreparedStatement ps, int index, int typeAndFlags, ByteBuf in) throws SQLException {
        int type = typeAndFlags & 0xFF;
        boolean unsigned = (typeAndFlags & UNSIGNED) != 0;
        switch (type) {
            case FieldType.NULL -> ps.setNull(index, Types.NULL);
            case FieldType.TINY -> {
                WireFormat.need(in, 1);
                ps.setInt(index, unsigned ? in.readUnsignedByte() : in.readByte());
            }
            case FieldType.SHORT, FieldType.YEAR -> {
                WireFormat.need(in, 2);
                ps.setInt(index, unsigned ? in.readUnsignedShortLE() : in.readShortLE());
            }
            case FieldType.LONG, FieldType.INT24 -> {
                WireFormat.need(in, 4);
                ps.setLong(index, unsigned ? in.readUnsignedIntLE() : in.readIntLE());
            }
            case FieldType.LONGLONG -> {
                WireFormat.need(in, 8);
                long v = in.readLongLE();
                if (unsigned && v < 0) {
                    ps.setBigDecimal(index, new BigDecimal(new BigInteger(Long.toUnsignedString(v))));
                } else {
                    ps.setLong(index, v);
                }
            }
            case FieldType.FLOAT -> {
                WireFormat.need(in, 4);
                ps.setFloat(index, in.readFloatLE());
            }
            case FieldType.DOUBLE -> {
                WireFormat.need(in, 8);
                ps.setDouble(index, in.readDoubleLE());
            }
            case FieldType.DECIMAL, FieldType.NEWDECIMAL -> ps.setBigDecimal(index, decimal(in));
            case FieldType.DATE -> {
                WireFormat.need(in, 1);
                ps.setObject(index, TemporalCodec.readDateTime(in).toLocalDate());
            }
            case FieldType.DATETIME, FieldType.TIMESTAMP -> {
                WireFormat.need(in, 1);
                ps.setObject(index, TemporalCodec.readDateTime(in));
            }
            case FieldType.TIME -> {
                WireFormat.need(in, 1);
                ps.setObject(index, TemporalCodec.readTime(in));
            }
            case FieldType.VARCHAR,
                    FieldType.VAR_STRING,
                    FieldType.STRING,
                    FieldType.ENUM,
                    FieldType.SET,
                    FieldType.JSON -> bindText(ps, index, WireFormat.readLengthEncodedBytes(in));
            case FieldType.TINY_BLOB,
                    FieldType.MEDIUM_BLOB,
                    FieldType.LONG_BLOB,
                    FieldType.BLOB,
                    FieldType.GEOMETRY,
                    FieldType.BIT -> ps.setBytes(index, WireFormat.readLengthEncodedBytes(in));
            default -> throw new MalformedPacketException("unknown parameter type " + type);
        }
    }

    /**
     * Reads one binary-protocol parameter value as the router sees shard keys: integers as {@code Long} (or
     * {@code BigDecimal} past its range), text as {@code String}, other types as their JDBC object.
     *
     * @throws MalformedPacketException when the value is truncated or its type unknown
     */
    static Object value(int typeAndFlags, ByteBuf in) {
        int type = typeAndFlags & 0xFF;
        boolean unsigned = (typeAndFlags & UNSIGNED) != 0;
        return switch (type) {
            case FieldType.NULL -> null;
            case FieldType.TINY -> {
                WireFormat.need(in, 1);
                yield (long) (unsigned ? in.readUnsignedByte() : in.readByte());
            }
            case FieldType.SHORT, FieldType.YEAR -> {
                WireFormat.need(in, 2);
                yield (long) (unsigned ? in.readUnsignedShortLE() : in.readShortLE());
            }
            case FieldType.LONG, FieldType.INT24 -> {
                WireFormat.need(in, 4);
                yield unsigned ? in.readUnsignedIntLE() : (long) in.readIntLE();
            }
            case FieldType.LONGLONG -> {
                WireFormat.need(in, 8);
                long v = in.readLongLE();
                yield unsigned && v < 0 ? new BigDecimal(new BigInteger(Long.toUnsignedString(v))) : (Object) v;
            }
            case FieldType.FLOAT -> {
                WireFormat.need(in, 4);
                yield (double) in.readFloatLE();
            }
            case FieldType.DOUBLE -> {
                WireFormat.need(in, 8);
                yield in.readDoubleLE();
            }
            case FieldType.DECIMAL, FieldType.NEWDECIMAL -> decimal(in);
            case FieldType.DATE -> {
                WireFormat.need(in, 1);
                yield TemporalCodec.readDateTime(in).toLocalDate();
            }
            case FieldType.DATETIME, FieldType.TIMESTAMP -> {
                WireFormat.need(in, 1);
                yield TemporalCodec.readDateTime(in);
            }
            case FieldType.TIME -> {
                WireFormat.need(in, 1);
                yield TemporalCodec.readTime(in);
            }
            case FieldType.VARCHAR,
                    FieldType.VAR_STRING,
                    FieldType.STRING,
                    FieldType.ENUM,
                    FieldType.SET,
                    FieldType.JSON -> new String(WireFormat.readLengthEncodedBytes(in), StandardCharsets.UTF_8);
            case FieldType.TINY_BLOB,
                    FieldType.MEDIUM_BLOB,
                    FieldType.LONG_BLOB,
                    FieldType.BLOB,
                    FieldType.GEOMETRY,
                    FieldType.BIT -> WireFormat.readLengthEncodedBytes(in);
            default -> throw new MalformedPacketException("unknown parameter type " + type);
        };
    }

    /** Binds data sent earlier with COM_STMT_SEND_LONG_DATA: text types as UTF-8 text, others as bytes. */
    static void bindLongData(PreparedStatement ps, int index, int typeAndFlags, byte[] data) throws SQLException {
        int type = typeAndFlags & 0xFF;
        boolean text = type == FieldType.VARCHAR
                || type == FieldType.VAR_STRING
                || type == FieldType.STRING
                || type == FieldType.JSON;
        if (text) {
            bindText(ps, index, data);
        } else {
            ps.setBytes(index, data);
        }
    }

    /**
     * Clients send byte arrays as string types too (Connector/J does for VARBINARY); bytes that are not
     * UTF-8 are bound as bytes so they reach the backend unchanged.
     */
    private static void bindText(PreparedStatement ps, int index, byte[] data) throws SQLException {
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data))
                    .toString();
            ps.setString(index, text);
        } catch (CharacterCodingException e) {
            ps.setBytes(index, data);
        }
    }

    private static BigDecimal decimal(ByteBuf in) {
        String text = new String(WireFormat.readLengthEncodedBytes(in), StandardCharsets.US_ASCII);
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new MalformedPacketException("invalid decimal parameter");
        }
    }
}
