package io.vshard.manifest.window;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;

/**
 * An ISO-8601 week, written {@code YYYY_Www} (for example {@code 2025_W47}); the window starts on Monday
 * 00:00 UTC of that week and lasts seven days. Week-based years are used, so {@code 2021_W01} starts on
 * 2021-01-04 and {@code 2020_W53} exists.
 *
 * @param weekBasedYear the ISO week-based year
 * @param week the week number, 1 to 52 or 53
 */
public record WindowId(int weekBasedYear, int week) implements Comparable<WindowId> {
    public WindowId {
        // Every ISO year has weeks 1 to 52; only week 53 needs the calendar (a read's per-row placement check
        // builds one window per row).
        if (week < 1 || week > 52 && week > weeksIn(weekBasedYear)) {
            throw new IllegalArgumentException("week " + week + " does not exist in ISO year " + weekBasedYear
                    + " (it has " + weeksIn(weekBasedYear) + " weeks)");
        }
    }

    /**
     * Parses {@code YYYY_Www}.
     *
     * @throws IllegalArgumentException with a message that shows the expected form
     */
    public static WindowId parse(String text) {
        // By hand rather than by regular expression: reads check the window of every row they merge during a
        // migration, and the matcher was most of that check's cost.
        String t = text == null ? "" : text.trim();
        if (t.length() != 8 || t.charAt(4) != '_' || t.charAt(5) != 'W' || !digits(t, 0, 4) || !digits(t, 6, 8)) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an ISO week id; expected YYYY_Www such as 2025_W47");
        }
        int year =
                (t.charAt(0) - '0') * 1000 + (t.charAt(1) - '0') * 100 + (t.charAt(2) - '0') * 10 + t.charAt(3) - '0';
        return new WindowId(year, (t.charAt(6) - '0') * 10 + t.charAt(7) - '0');
    }

    /** Whether the characters of {@code s} from {@code from} (inclusive) to {@code to} are ASCII digits. */
    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The window that contains {@code instant}. */
    public static WindowId containing(Instant instant) {
        LocalDate d = instant.atZone(ZoneOffset.UTC).toLocalDate();
        return new WindowId(d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    /** Number of ISO weeks (52 or 53) in a week-based year. */
    public static int weeksIn(int weekBasedYear) {
        // December 28th always lies in the last ISO week of its year.
        return LocalDate.of(weekBasedYear, 12, 28).get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
    }

    /** Monday 00:00 UTC of this week. */
    public Instant start() {
        LocalDate jan4 = LocalDate.of(weekBasedYear, 1, 4);
        LocalDate monday =
                jan4.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).plusWeeks(week - 1L);
        return monday.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The first instant after this window (the next window's start). */
    public Instant end() {
        return next().start();
    }

    /** The following week. */
    public WindowId next() {
        return week < weeksIn(weekBasedYear)
                ? new WindowId(weekBasedYear, week + 1)
                : new WindowId(weekBasedYear + 1, 1);
    }

    /** The preceding week. */
    public WindowId previous() {
        return week > 1
                ? new WindowId(weekBasedYear, week - 1)
                : new WindowId(weekBasedYear - 1, weeksIn(weekBasedYear - 1));
    }

    /** The window {@code n} weeks later (or earlier when negative). */
    public WindowId plusWeeks(long n) {
        return containing(start().plusSeconds(n * 7 * 86_400L));
    }

    @Override
    public int compareTo(WindowId o) {
        return weekBasedYear != o.weekBasedYear
                ? Integer.compare(weekBasedYear, o.weekBasedYear)
                : Integer.compare(week, o.week);
    }

    @Override
    public String toString() {
        // Not String.format: the bulk load and the live writers write one per row.
        String y = Integer.toString(weekBasedYear);
        return "0".repeat(Math.max(0, 4 - y.length())) + y + (week < 10 ? "_W0" : "_W") + week;
    }
}
