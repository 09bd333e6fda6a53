package io.vshard.manifest.digest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.Golden;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins the canonical encoding and digests to vectors computed independently from the specification. */
class DigestGoldenTest {

    private static byte[] encode(long id, long creator, String region, BigDecimal amount, Instant at, String cur) {
        return new RowEncoder()
                .addInteger(id)
                .addInteger(creator)
                .addText(region)
                .addDecimal(amount, 2)
                .addTimestamp(at)
                .addText(cur)
                .toByteArray();
    }

    @Test
    void rowsAndCohortMatchVectors() {
        List<byte[]> rows = List.of(
                encode(1, 42, "APAC", new BigDecimal("10.5"), Instant.parse("2025-11-17T10:00:00.123456789Z"), "USD"),
                encode(2, 42, "APAC", new BigDecimal("-0.01"), Instant.parse("2025-11-17T10:00:00Z"), null),
                encode(3, 7, "EMEA", new BigDecimal("123456789012345678.90"), Instant.EPOCH, "€uro"));
        List<String[]> golden = Golden.rows("digests.tsv");
        CohortDigest.Accumulator acc = new CohortDigest.Accumulator();
        for (int i = 0; i < rows.size(); i++) {
            assertThat(HexFormat.of().formatHex(rows.get(i))).isEqualTo(golden.get(i)[1]);
            RowDigest d = RowDigest.of(rows.get(i));
            assertThat(d.toHex()).isEqualTo(golden.get(i)[2]);
            acc.add(d);
        }
        assertThat(acc.result()).hasToString(golden.get(3)[2]);
    }

    @Test
    void decimalEncodesAtDeclaredScaleNeverFloatingPoint() {
        byte[] a = new RowEncoder().addDecimal(new BigDecimal("10.5"), 2).toByteArray();
        byte[] b = new RowEncoder().addDecimal(new BigDecimal("10.50"), 2).toByteArray();
        byte[] c = new RowEncoder().addDecimal(new BigDecimal("10.51"), 2).toByteArray();
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new RowEncoder().addDecimal(new BigDecimal("10.505"), 2))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void nullIsDistinctFromEmptyText() {
        assertThat(RowDigest.of(new RowEncoder().addText(null)))
                .isNotEqualTo(RowDigest.of(new RowEncoder().addText("")));
        assertThat(RowDigest.of(new RowEncoder().addInteger((Long) null)))
                .isEqualTo(RowDigest.of(new RowEncoder().addNull()));
    }
}
