package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.function.ShardKey;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The COPY text form of copied rows: escapes, NULLs and the types whose text form is exact. */
class CopyInTest {
    private static String line(List<String> typeNames, Object... values) {
        TableRows.Batch layout =
                new TableRows.Batch(List.of(), new int[values.length], new int[values.length], typeNames, List.of());
        StringBuilder out = new StringBuilder();
        CopyIn.encode(layout, new TableRows.Row(values, ShardKey.of(1, null), null, 1L), out);
        return out.toString();
    }

    @Test
    void textIsEscapedSoTabsNewlinesAndBackslashesSurvive() {
        assertThat(line(List.of("int8", "text"), 7L, "a\tb\nc\\d\re")).isEqualTo("7\ta\\tb\\nc\\\\d\\re\n");
    }

    @Test
    void nullIsBackslashNAndANullLookingStringIsNot() {
        assertThat(line(List.of("text", "text"), null, "\\N")).isEqualTo("\\N\t\\\\N\n");
    }

    @Test
    void numericsBooleansAndBytesKeepTheirExactForm() {
        assertThat(line(List.of("numeric", "bool", "bytea"), new BigDecimal("1E+3"), true, new byte[] {0, (byte) 0xff}))
                .isEqualTo("1000\tt\t\\\\x00ff\n");
    }

    @Test
    void timestampsKeepTheirWallClockAndTimestamptzItsInstant() {
        LocalDateTime wall = LocalDateTime.of(2026, 1, 15, 10, 30, 0, 123_456_000);
        Instant at = Instant.parse("2026-11-27T03:00:00.5Z");
        assertThat(line(List.of("timestamp", "timestamptz"), Timestamp.valueOf(wall), Timestamp.from(at)))
                .isEqualTo("2026-01-15T10:30:00.123456\t2026-11-27T03:00:00.500Z\n");
    }

    @Test
    void aLayoutWithAnUnknownTypeDoesNotFitCopy() throws Exception {
        TableRows.Batch layout =
                new TableRows.Batch(List.of("a"), new int[] {Types.OTHER}, new int[1], List.of("hstore"), List.of());
        assertThat(CopyIn.supports(layout)).isFalse();
        TableRows.Batch known =
                new TableRows.Batch(List.of("a"), new int[] {Types.BIGINT}, new int[1], List.of("INT8"), List.of());
        assertThat(CopyIn.supports(known)).isTrue();
    }
}
