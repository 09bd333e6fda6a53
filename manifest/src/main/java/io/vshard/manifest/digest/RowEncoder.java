package io.vshard.manifest.digest;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * Builds the canonical byte encoding of one row, value by value, as {@link ValueKind} specifies. Not thread
 * safe; reusable through {@link #reset()} so a verifier allocates one per thread.
 */
public final class RowEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private final byte[] scratch = new byte[8];

    /** Clears the encoder for the next row. */
    public RowEncoder reset() {
        out.reset();
        return this;
    }

    /** Appends SQL NULL. */
    public RowEncoder addNull() {
        out.write(ValueKind.NULL.tag());
        return this;
    }

    /** Appends a BOOLEAN, or NULL when {@code v} is {@code null}. */
    public RowEncoder addBoolean(Boolean v) {
        if (v == null) {
            return addNull();
        }
        out.write(ValueKind.BOOLEAN.tag());
        out.write(v ? 1 : 0);
        return this;
    }

    /** Appends an integer of any width. */
    public RowEncoder addInteger(long v) {
        out.write(ValueKind.INTEGER.tag());
        writeLong(v);
        return this;
    }

    /** Appends an integer, or NULL when {@code v} is {@code null}. */
    public RowEncoder addInteger(Long v) {
        return v == null ? addNull() : addInteger(v.longValue());
    }

    /**
     * Appends a DECIMAL at its declared scale. {@code 10.5} and {@code 10.50} in a {@code NUMERIC(12,2)}
     * column encode the same.
     *
     * @throws ArithmeticException if the value has more fractional digits than {@code declaredScale}
     */
    public RowEncoder addDecimal(BigDecimal v, int declaredScale) {
        if (v == null) {
            return addNull();
        }
        byte[] unscaled = v.setScale(declaredScale, RoundingMode.UNNECESSARY)
                .unscaledValue()
                .toByteArray();
        out.write(ValueKind.DECIMAL.tag());
        writeInt(declaredScale);
        writeInt(unscaled.length);
        out.write(unscaled, 0, unscaled.length);
        return this;
    }

    /** Appends text as UTF-8 with its length, or NULL. */
    public RowEncoder addText(String v) {
        if (v == null) {
            return addNull();
        }
        return addBytesTagged(ValueKind.TEXT, v.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends binary data with its length, or NULL. */
    public RowEncoder addBytes(byte[] v) {
        return v == null ? addNull() : addBytesTagged(ValueKind.BYTES, v);
    }

    /** Appends a timestamp as UTC microseconds since the epoch (sub-microsecond digits truncated), or NULL. */
    public RowEncoder addTimestamp(Instant v) {
        if (v == null) {
            return addNull();
        }
        out.write(ValueKind.TIMESTAMP.tag());
        writeLong(Math.addExact(Math.multiplyExact(v.getEpochSecond(), 1_000_000L), v.getNano() / 1_000));
        return this;
    }

    /** Appends a date as days since 1970-01-01, or NULL. */
    public RowEncoder addDate(LocalDate v) {
        if (v == null) {
            return addNull();
        }
        out.write(ValueKind.DATE.tag());
        writeLong(v.toEpochDay());
        return this;
    }

    /** Appends a binary floating-point value (NaN and -0.0 canonicalised), or NULL. */
    public RowEncoder addFloat(Double v) {
        if (v == null) {
            return addNull();
        }
        double d = v == 0.0 ? 0.0 : v;
        out.write(ValueKind.FLOAT.tag());
        writeLong(Double.doubleToLongBits(d));
        return this;
    }

    /** The encoding so far. */
    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private RowEncoder addBytesTagged(ValueKind kind, byte[] b) {
        out.write(kind.tag());
        writeInt(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    private void writeLong(long v) {
        for (int k = 7; k >= 0; k--) {
            scratch[k] = (byte) v;
            v >>>= 8;
        }
        out.write(scratch, 0, 8);
    }

    private void writeInt(int v) {
        scratch[0] = (byte) (v >>> 24);
        scratch[1] = (byte) (v >>> 16);
        scratch[2] = (byte) (v >>> 8);
        scratch[3] = (byte) v;
        out.write(scratch, 0, 4);
    }

    @Override
    public String toString() {
        return Arrays.toString(toByteArray());
    }
}
