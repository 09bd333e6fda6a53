package io.vshard.manifest.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class WindowIdTest {

    @Test
    void weekStartsOnMondayUtc() {
        assertThat(WindowId.parse("2025_W47").start()).isEqualTo(Instant.parse("2025-11-17T00:00:00Z"));
        assertThat(WindowId.parse("2025_W01").start()).isEqualTo(Instant.parse("2024-12-30T00:00:00Z"));
        assertThat(WindowId.parse("2021_W01").start()).isEqualTo(Instant.parse("2021-01-04T00:00:00Z"));
    }

    @Test
    void week53YearsAndYearBoundaries() {
        assertThat(WindowId.weeksIn(2020)).isEqualTo(53);
        assertThat(WindowId.weeksIn(2026)).isEqualTo(53);
        assertThat(WindowId.weeksIn(2025)).isEqualTo(52);
        assertThat(WindowId.parse("2020_W53").start()).isEqualTo(Instant.parse("2020-12-28T00:00:00Z"));
        assertThat(WindowId.parse("2020_W53").next()).isEqualTo(WindowId.parse("2021_W01"));
        assertThat(WindowId.parse("2021_W01").previous()).isEqualTo(WindowId.parse("2020_W53"));
        assertThat(WindowId.containing(Instant.parse("2021-01-03T23:59:59Z"))).hasToString("2020_W53");
        assertThat(WindowId.containing(Instant.parse("2021-01-04T00:00:00Z"))).hasToString("2021_W01");
        assertThat(WindowId.containing(Instant.parse("2024-12-31T12:00:00Z"))).hasToString("2025_W01");
        assertThatThrownBy(() -> WindowId.parse("2025_W53")).hasMessageContaining("does not exist");
    }

    @Test
    void refusesWhatIsNotAWeekId() {
        assertThatThrownBy(() -> WindowId.parse("2025-47")).hasMessageContaining("expected YYYY_Www");
        assertThatThrownBy(() -> WindowId.parse("2025_W00")).hasMessageContaining("does not exist");
        for (String bad : new String[] {
            "",
            "2025_W4",
            "2025_W477",
            "2025_w47",
            "2025-W47",
            "202a_W47",
            "2025_W4x",
            "\u0662025_W47",
            "x2025_W47",
            null
        }) {
            assertThatThrownBy(() -> WindowId.parse(bad)).as(bad).hasMessageContaining("expected YYYY_Www");
        }
        assertThat(WindowId.parse(" 2026_W53 ")).isEqualTo(new WindowId(2026, 53));
        assertThatThrownBy(() -> WindowId.parse("2027_W53")).hasMessageContaining("does not exist");
        assertThat(WindowId.parse("0001_W52").toString()).isEqualTo("0001_W52");
    }

    @Property
    void everyInstantFallsInItsWindow(@ForAll @LongRange(min = 0, max = 4_102_444_800L) long epochSecond) {
        Instant t = Instant.ofEpochSecond(epochSecond);
        WindowId w = WindowId.containing(t);
        assertThat(w.start()).isBeforeOrEqualTo(t);
        assertThat(w.end()).isAfter(t);
        assertThat(WindowId.parse(w.toString())).isEqualTo(w);
        assertThat(w.next().previous()).isEqualTo(w);
        assertThat(w.plusWeeks(3)).isEqualTo(w.next().next().next());
    }
}
