package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PgValueEncoderTest {

    @Test
    void numericBinaryMatchesPostgreSqlLayout() {
        ByteBuffer b = ByteBuffer.wrap(PgValueEncoder.numeric(new BigDecimal("-12345.678"), null));
        assertThat(new int[] {b.getShort(), b.getShort(), b.getShort() & 0xFFFF, b.getShort()})
                .containsExactly(3, 1, 0x4000, 3);
        assertThat(new int[] {b.getShort(), b.getShort(), b.getShort()}).containsExactly(1, 2345, 6780);
        ByteBuffer zero = ByteBuffer.wrap(PgValueEncoder.numeric(new BigDecimal("0.00"), null));
        assertThat(new int[] {zero.getShort(), zero.getShort(), zero.getShort(), zero.getShort()})
                .containsExactly(0, 0, 0, 2);
        ByteBuffer small = ByteBuffer.wrap(PgValueEncoder.numeric(new BigDecimal("0.00001"), null));
        assertThat(new int[] {small.getShort(), small.getShort(), small.getShort(), small.getShort(), small.getShort()})
                .containsExactly(1, -2, 0, 5, 1000);
    }

    @Property(tries = 2000)
    void numericBinaryRoundTrips(@ForAll BigInteger unscaled, @ForAll @IntRange(min = -5, max = 30) int scale) {
        BigDecimal value = new BigDecimal(unscaled, scale);
        BigDecimal decoded = PgValueEncoder.numericValue(ByteBuffer.wrap(PgValueEncoder.numeric(value, null)));
        assertThat(decoded).isEqualByComparingTo(value);
        assertThat(decoded.scale()).isEqualTo(Math.max(0, scale));
    }

    @Test
    void timestampsUsePostgreSqlEpochAndTextForm() {
        LocalDateTime t = LocalDateTime.of(2000, 1, 1, 0, 0, 1, 500_000);
        assertThat(ByteBuffer.wrap(PgValueEncoder.binary(t, PgType.TIMESTAMP)).getLong())
                .isEqualTo(1_000_500);
        OffsetDateTime tz = OffsetDateTime.of(2025, 11, 17, 12, 0, 0, 120_000_000, ZoneOffset.ofHours(2));
        assertThat(PgValueEncoder.textOf(tz)).isEqualTo("2025-11-17 10:00:00.12+00");
        assertThat(PgValueEncoder.textOf(new byte[] {0, (byte) 0xAB})).isEqualTo("\\x00ab");
        assertThat(PgValueEncoder.textOf(Boolean.TRUE)).isEqualTo("t");
    }
}
