package io.vshard.migrate;

import io.vshard.manifest.digest.RowDigest;
import io.vshard.manifest.digest.RowEncoder;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Reads PostgreSQL's COPY text form of a row (tab-separated fields, {@code \N} for NULL, backslash escapes,
 * {@code DateStyle} ISO as pgjdbc sets it) into the canonical row digest (manifest/README.md), so rows can move
 * shard to shard as the server's own bytes and still be digested value by value.
 *
 * <p>The digest is the same as {@link TableRows#digest} of the row pgjdbc would decode: each field is read
 * as the type the digest defines for its column (integer, decimal at the column's declared scale, boolean,
 * float, date, timestamp without time zone as UTC wall clock, bytes, and text for the rest). Only column
 * types whose text form this class reads exactly qualify ({@link #supports}); a table with any other type
 * (for example {@code timestamptz}, whose digest through JDBC depends on the JVM's time zone) keeps the JDBC
 * path. Not thread safe: one per reader.
 */
final class CopyText {
    private enum Kind {
        INTEGER,
        DECIMAL,
        BOOLEAN,
        FLOAT4,
        FLOAT8,
        DATE,
        TIMESTAMP,
        BYTES,
        TEXT
    }

    private static final long[] TENS = new long[19];

    static {
        TENS[0] = 1;
        for (int i = 1; i < TENS.length; i++) {
            TENS[i] = TENS[i - 1] * 10;
        }
    }

    private final Kind[] kinds;
    private final int[] scales;
    private final RowEncoder enc = new RowEncoder();
    private byte[] scratch = new byte[256];

    /** A reader for rows of {@code layout}, whose every column type must be {@link #supports supported}. */
    CopyText(TableRows.Batch layout) {
        int n = layout.typeNames().size();
        kinds = new Kind[n];
        scales = layout.scales().clone();
        for (int i = 0; i < n; i++) {
            kinds[i] = kind(layout.typeNames().get(i));
            if (kinds[i] == null) {
                throw new IllegalArgumentException(
                        "no COPY text digest for type " + layout.typeNames().get(i));
            }
        }
    }

    /** Whether every column type of {@code typeNames} has a text form this class digests exactly. */
    static boolean supports(List<String> typeNames) {
        for (String t : typeNames) {
            if (kind(t) == null) {
                return false;
            }
        }
        return true;
    }

    private static Kind kind(String typeName) {
        return switch (typeName.toLowerCase(Locale.ROOT)) {
            case "int2", "int4", "int8", "serial", "bigserial" -> Kind.INTEGER;
            case "numeric" -> Kind.DECIMAL;
            case "bool" -> Kind.BOOLEAN;
            case "float4" -> Kind.FLOAT4;
            case "float8" -> Kind.FLOAT8;
            case "date" -> Kind.DATE;
            case "timestamp" -> Kind.TIMESTAMP;
            case "bytea" -> Kind.BYTES;
            case "text", "varchar", "bpchar", "uuid", "json", "jsonb" -> Kind.TEXT;
            default -> null;
        };
    }

    /**
     * Ends of the fields of {@code line[0, length)}: {@code ends[i]} is the index of the tab (or the end)
     * after field {@code i}. COPY escapes tabs and newlines inside values, so every raw tab separates fields.
     */
    static void fields(byte[] line, int length, int[] ends) throws SQLException {
        int f = 0;
        for (int i = 0; i < length; i++) {
            if (line[i] == '\t') {
                if (f == ends.length) {
                    throw new SQLException("a COPY row has more than " + ends.length + " fields", "XX000");
                }
                ends[f++] = i;
            }
        }
        if (f != ends.length - 1) {
            throw new SQLException("a COPY row has " + (f + 1) + " fields, expected " + ends.length, "XX000");
        }
        ends[f] = length;
    }

    /** Whether field {@code [from, to)} is NULL ({@code \N}). */
    static boolean isNull(byte[] line, int from, int to) {
        return to - from == 2 && line[from] == '\\' && line[from + 1] == 'N';
    }

    /** An integer field's value. */
    static long integer(byte[] line, int from, int to) throws SQLException {
        if (from >= to) {
            throw bad("integer", line, from, to);
        }
        boolean negative = line[from] == '-';
        int i = negative || line[from] == '+' ? from + 1 : from;
        if (i == to || to - i > 19) {
            throw bad("integer", line, from, to);
        }
        long v = 0;
        try {
            for (; i < to; i++) {
                int d = line[i] - '0';
                if (d < 0 || d > 9) {
                    throw bad("integer", line, from, to);
                }
                // Accumulated negatively so that Long.MIN_VALUE parses.
                v = Math.subtractExact(Math.multiplyExact(v, 10), d);
            }
            return negative ? v : Math.negateExact(v);
        } catch (ArithmeticException e) {
            throw bad("integer", line, from, to);
        }
    }

    /** A text field's value, its escapes undone. */
    String text(byte[] line, int from, int to) {
        int n = unescape(line, from, to);
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    /** The canonical digest of one COPY text row of {@code length} bytes whose field ends are {@code ends}. */
    RowDigest digest(byte[] line, int[] ends) throws SQLException {
        enc.reset();
        int from = 0;
        for (int i = 0; i < kinds.length; i++) {
            int to = ends[i];
            if (isNull(line, from, to)) {
                enc.addNull();
            } else {
                value(i, line, from, to);
            }
            from = to + 1;
        }
        return RowDigest.of(enc);
    }

    private void value(int i, byte[] line, int from, int to) throws SQLException {
        switch (kinds[i]) {
            case INTEGER -> enc.addInteger(integer(line, from, to));
            case DECIMAL -> enc.addDecimal(decimal(line, from, to, scales[i]), scales[i]);
            case BOOLEAN -> enc.addBoolean(bool(line, from, to));
            case FLOAT4 -> enc.addFloat((double) Float.parseFloat(ascii(line, from, to)));
            case FLOAT8 -> enc.addFloat(Double.parseDouble(ascii(line, from, to)));
            case DATE -> enc.addDate(date(line, from, to));
            case TIMESTAMP -> enc.addTimestamp(timestamp(line, from, to));
            case BYTES -> enc.addBytes(bytes(line, from, to));
            case TEXT -> enc.addText(text(line, from, to));
        }
    }

    /**
     * A numeric field as a decimal: digits with at most {@code scale} fractional digits and at most 18 in all
     * are read without {@link BigDecimal} parsing; anything else (exponents, more digits) goes through it, so
     * a value with more fractional digits than the declared scale fails as the JDBC path does.
     */
    private static BigDecimal decimal(byte[] line, int from, int to, int scale) throws SQLException {
        boolean negative = from < to && line[from] == '-';
        int i = negative ? from + 1 : from;
        long unscaled = 0;
        int digits = 0;
        int fraction = -1;
        for (; i < to; i++) {
            byte b = line[i];
            if (b == '.' && fraction < 0) {
                fraction = 0;
                continue;
            }
            if (b < '0' || b > '9' || digits == 18) {
                return slowDecimal(line, from, to);
            }
            unscaled = unscaled * 10 + (b - '0');
            digits++;
            if (fraction >= 0) {
                fraction++;
            }
        }
        int frac = Math.max(0, fraction);
        if (digits == 0 || frac > scale || scale - frac + digits > 18) {
            return slowDecimal(line, from, to);
        }
        unscaled *= TENS[scale - frac];
        return BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
    }

    private static BigDecimal slowDecimal(byte[] line, int from, int to) throws SQLException {
        try {
            return new BigDecimal(ascii(line, from, to));
        } catch (NumberFormatException e) {
            throw bad("numeric", line, from, to);
        }
    }

    private static boolean bool(byte[] line, int from, int to) throws SQLException {
        if (to - from == 1 && (line[from] == 't' || line[from] == 'f')) {
            return line[from] == 't';
        }
        throw bad("boolean", line, from, to);
    }

    /** {@code yyyy-mm-dd} (ISO, years 1-9999 AD); anything else (BC, infinity) is refused, never guessed. */
    private static LocalDate date(byte[] line, int from, int to) throws SQLException {
        if (to - from != 10 || line[from + 4] != '-' || line[from + 7] != '-') {
            throw bad("date", line, from, to);
        }
        return LocalDate.of((int) digits(line, from, from + 4), (int) digits(line, from + 5, from + 7), (int)
                digits(line, from + 8, to));
    }

    /** {@code yyyy-mm-dd hh:mm:ss[.f{1,6}]} as a UTC instant (the digest reads a zoneless timestamp as UTC). */
    private static java.time.Instant timestamp(byte[] line, int from, int to) throws SQLException {
        int len = to - from;
        if (len < 19 || line[from + 10] != ' ' || line[from + 13] != ':' || line[from + 16] != ':') {
            throw bad("timestamp", line, from, to);
        }
        LocalDate day = date(line, from, from + 10);
        long seconds = digits(line, from + 11, from + 13) * 3600
                + digits(line, from + 14, from + 16) * 60
                + digits(line, from + 17, from + 19);
        long micros = 0;
        if (len > 19) {
            if (line[from + 19] != '.' || len > 26 || len == 20) {
                throw bad("timestamp", line, from, to);
            }
            micros = digits(line, from + 20, to) * TENS[6 - (len - 20)];
        }
        return java.time.Instant.ofEpochSecond(day.toEpochDay() * 86_400 + seconds, micros * 1_000);
    }

    private static long digits(byte[] line, int from, int to) throws SQLException {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = line[i] - '0';
            if (d < 0 || d > 9) {
                throw bad("date/time", line, from, to);
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** A bytea field in hex output ({@code \x...} once COPY's own escape is undone). */
    private byte[] bytes(byte[] line, int from, int to) throws SQLException {
        int n = unescape(line, from, to);
        if (n < 2 || scratch[0] != '\\' || scratch[1] != 'x') {
            throw bad("bytea (hex output expected)", line, from, to);
        }
        try {
            return HexFormat.of().parseHex(new String(scratch, 2, n - 2, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw bad("bytea", line, from, to);
        }
    }

    /** Undoes COPY text escapes of {@code line[from, to)} into {@code scratch}; returns the length. */
    private int unescape(byte[] line, int from, int to) {
        if (scratch.length < to - from) {
            scratch = new byte[Math.max(to - from, scratch.length * 2)];
        }
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = line[i];
            if (b != '\\' || i + 1 == to) {
                scratch[n++] = b;
                continue;
            }
            byte e = line[++i];
            switch (e) {
                case 'b' -> scratch[n++] = '\b';
                case 'f' -> scratch[n++] = '\f';
                case 'n' -> scratch[n++] = '\n';
                case 'r' -> scratch[n++] = '\r';
                case 't' -> scratch[n++] = '\t';
                case 'v' -> scratch[n++] = 0x0B;
                case 'x' -> {
                    int v = 0;
                    int k = 0;
                    while (k < 2 && i + 1 < to && Character.digit(line[i + 1], 16) >= 0) {
                        v = v * 16 + Character.digit(line[++i], 16);
                        k++;
                    }
                    scratch[n++] = k == 0 ? (byte) 'x' : (byte) v;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i + 1 < to && line[i + 1] >= '0' && line[i + 1] <= '7'; k++) {
                            v = v * 8 + (line[++i] - '0');
                        }
                        scratch[n++] = (byte) v;
                    } else {
                        scratch[n++] = e;
                    }
                }
            }
        }
        return n;
    }

    private static String ascii(byte[] line, int from, int to) {
        return new String(line, from, to - from, StandardCharsets.US_ASCII);
    }

    private static SQLException bad(String type, byte[] line, int from, int to) {
        // The value is not logged or echoed (it may be application data); its length and type are enough.
        return new SQLException(
                "a COPY text field of " + (to - from) + " bytes is not a " + type + " the migrator reads exactly",
                "22P02");
    }
}
