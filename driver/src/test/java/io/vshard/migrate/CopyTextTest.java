package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.manifest.digest.RowDigest;
import io.vshard.manifest.digest.RowEncoder;
import io.vshard.manifest.function.ShardKey;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Digests of PostgreSQL COPY text lines equal the digests of the same rows as JDBC decodes them. */
class CopyTextTest {
    private static final List<String> TYPES = List.of(
            "int8", "int4", "numeric", "bool", "float8", "float4", "date", "timestamp", "bytea", "varchar", "bpchar");
    private static final int[] JDBC = {
        Types.BIGINT,
        Types.INTEGER,
        Types.NUMERIC,
        Types.BIT,
        Types.DOUBLE,
        Types.REAL,
        Types.DATE,
        Types.TIMESTAMP,
        Types.BINARY,
        Types.VARCHAR,
        Types.CHAR
    };
    private static final int[] SCALES = {0, 0, 2, 0, 0, 0, 0, 6, 0, 0, 0};
    private static final TableRows.Batch LAYOUT = new TableRows.Batch(List.of(), JDBC, SCALES, TYPES, List.of());

    private static RowDigest ofText(String line) throws SQLException {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        int[] ends = new int[TYPES.size()];
        CopyText.fields(b, b.length, ends);
        return new CopyText(LAYOUT).digest(b, ends);
    }

    private static RowDigest ofValues(Object... v) {
        return TableRows.digest(LAYOUT, new TableRows.Row(v, ShardKey.of(1, null), null, 1L), new RowEncoder());
    }

    @Test
    void everyTypeDigestsAsItsJdbcValue() throws Exception {
        String line = "-9223372036854775808\t42\t-12.5\tt\t1.5e+300\t0.1\t2027-01-04\t2027-01-04 10:15:30.1234\t"
                + "\\\\x00ff10\ta\\tb\\nc\\\\d é\tUSD";
        RowDigest typed = ofValues(
                Long.MIN_VALUE,
                42,
                new BigDecimal("-12.50"),
                true,
                1.5e300,
                0.1f,
                java.sql.Date.valueOf("2027-01-04"),
                Timestamp.valueOf(LocalDateTime.of(2027, 1, 4, 10, 15, 30, 123_400_000)),
                new byte[] {0, (byte) 0xff, 0x10},
                "a\tb\nc\\d é",
                "USD");
        assertThat(ofText(line)).isEqualTo(typed);
    }

    @Test
    void nullsAndANullLookingStringDiffer() throws Exception {
        String nulls = "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N";
        assertThat(ofText(nulls)).isEqualTo(ofValues(null, null, null, null, null, null, null, null, null, null, null));
        String text = "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\\\N\t\\N";
        assertThat(ofText(text)).isEqualTo(ofValues(null, null, null, null, null, null, null, null, null, "\\N", null));
        assertThat(ofText(text)).isNotEqualTo(ofText(nulls));
    }

    @Test
    void decimalsAreReadAtTheDeclaredScaleWhateverTheirDigits() throws Exception {
        for (String d : List.of("0", "-0.00", "7.5", "123456789012345.67", "99999999999999999.99", "1e3")) {
            String line = "1\t2\t" + d + "\tf\t0\t0\t2027-01-04\t2027-01-04 00:00:00\t\\\\x\tx\ty";
            assertThat(ofText(line))
                    .as(d)
                    .isEqualTo(ofValues(
                            1L,
                            2,
                            new BigDecimal(d),
                            false,
                            0.0,
                            0.0f,
                            java.sql.Date.valueOf("2027-01-04"),
                            Timestamp.valueOf("2027-01-04 00:00:00"),
                            new byte[0],
                            "x",
                            "y"));
        }
    }

    @Test
    void aDecimalWithMoreDigitsThanItsScaleFailsAsOnTheJdbcPath() {
        assertThatThrownBy(() -> ofText("1\t2\t1.234\tf\t0\t0\t2027-01-04\t2027-01-04 00:00:00\t\\\\x\tx\ty"))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void valuesOutsideTheExactTextFormsAreRefusedNotGuessed() {
        for (String ts : List.of("infinity", "2027-01-04 00:00:00 BC", "2027-01-04 00:00:00.1234567")) {
            assertThatThrownBy(() -> ofText("1\t2\t1\tf\t0\t0\t2027-01-04\t" + ts + "\t\\\\x\tx\ty"))
                    .as(ts)
                    .isInstanceOf(SQLException.class)
                    .hasMessageNotContaining(ts);
        }
        assertThatThrownBy(() -> ofText("1\t2\t1\tf\t0\t0\t2027-01-04\t2027-01-04 00:00:00\t\\\\x\tx"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("10 fields, expected 11");
    }

    @Test
    void integersOverflowingALongAreRefused() throws Exception {
        assertThatThrownBy(() -> CopyText.integer("9223372036854775808".getBytes(StandardCharsets.US_ASCII), 0, 19))
                .isInstanceOf(SQLException.class);
        assertThat(CopyText.integer("9223372036854775807".getBytes(StandardCharsets.US_ASCII), 0, 19))
                .isEqualTo(Long.MAX_VALUE);
    }
}
