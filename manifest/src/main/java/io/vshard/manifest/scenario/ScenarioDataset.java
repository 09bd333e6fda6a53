package io.vshard.manifest.scenario;

import io.vshard.manifest.function.XxHash64;
import io.vshard.manifest.window.WindowId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The deterministic scenario dataset: creators and payments shaped like the real case. 60% of creators are
 * in APAC, 20% in NA, 15% in EMEA and 5% in LATAM. Creator ids are issued in blocks of 64 by a regional
 * allocator, and APAC's allocator only hands out ids whose remainder mod 64 lies in 45-54, which is why
 * {@code identity(creator_id) % 64} piles APAC onto shards 45-54.
 *
 * <p>Creator {@code k} is computed from {@code (seed, k)} alone, so any creator can be produced without
 * generating the ones before it, and payments can be streamed at any scale with constant memory.
 */
public final class ScenarioDataset {
    /** The regions and their share of creators, in percent. */
    public static final List<String> REGIONS = List.of("APAC", "NA", "EMEA", "LATAM");

    private static final int[] PERCENT = {60, 20, 15, 5};
    private static final int HOT_FIRST = 45;
    private static final int HOT_COUNT = 10;
    private static final String[] CURRENCIES = {"USD", "EUR", "JPY", "SGD", "BRL", "INR"};

    private final long seed;
    private final long creators;
    private final long payments;
    private final int windows;
    // The weeks payments fall in and their starts, computed once: a payment picks one of them.
    private final WindowId[] weeks;
    private final Instant[] weekStarts;

    /**
     * Describes a dataset.
     *
     * @param seed the seed; the same seed gives the same rows
     * @param creators the number of creators
     * @param payments the number of payments
     * @param firstWindow the first week payments fall in
     * @param windows how many consecutive weeks payments spread over
     */
    public ScenarioDataset(long seed, long creators, long payments, WindowId firstWindow, int windows) {
        if (creators < 1 || payments < 0 || windows < 1) {
            throw new IllegalArgumentException("need at least one creator and one window");
        }
        this.seed = seed;
        this.creators = creators;
        this.payments = payments;
        this.windows = windows;
        this.weeks = new WindowId[windows];
        this.weekStarts = new Instant[windows];
        for (int w = 0; w < windows; w++) {
            weeks[w] = firstWindow.plusWeeks(w);
            weekStarts[w] = weeks[w].start();
        }
    }

    /** The number of creators. */
    public long creatorCount() {
        return creators;
    }

    /** The number of payments. */
    public long paymentCount() {
        return payments;
    }

    /** Creator {@code k} (0-based). */
    public Creator creator(long k) {
        long h = mix(k);
        int pick = (int) Long.remainderUnsigned(h, 100);
        int region = 0;
        for (int acc = PERCENT[0]; pick >= acc; acc += PERCENT[++region]) {
            // walk the cumulative percentages
        }
        long h2 = mix(~k);
        int residue;
        if (region == 0) {
            residue = HOT_FIRST + (int) Long.remainderUnsigned(h2, HOT_COUNT);
        } else {
            int r = (int) Long.remainderUnsigned(h2, 64 - HOT_COUNT);
            residue = r < HOT_FIRST ? r : r + HOT_COUNT;
        }
        return new Creator(k, 1_000_000L + k * 64 + residue - (1_000_000L % 64), REGIONS.get(region));
    }

    /** All creators in index order. */
    public Iterable<Creator> creators() {
        return () -> new Iterator<>() {
            long k;

            @Override
            public boolean hasNext() {
                return k < creators;
            }

            @Override
            public Creator next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return creator(k++);
            }
        };
    }

    /** Payment {@code i} (0-based). */
    public Payment payment(long i) {
        SplittableRandom r = new SplittableRandom(mix(i ^ 0x5DEECE66DL));
        Creator c = creator(r.nextLong(creators));
        int w = r.nextInt(windows);
        WindowId window = weeks[w];
        Instant at = weekStarts[w].plusSeconds(r.nextLong(7L * 86_400L));
        BigDecimal amount = BigDecimal.valueOf(100 + r.nextLong(5_000_000), 2);
        return new Payment(
                i + 1, c.id(), c.region(), amount, CURRENCIES[r.nextInt(CURRENCIES.length)], at, window, i + 1);
    }

    /** All payments in id order. */
    public Iterable<Payment> payments() {
        return () -> new Iterator<>() {
            long i;

            @Override
            public boolean hasNext() {
                return i < payments;
            }

            @Override
            public Payment next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return payment(i++);
            }
        };
    }

    /** XXH64 of the seed then {@code k}, both big-endian. */
    private long mix(long k) {
        return XxHash64.hashBigEndianLongs(seed, k);
    }
}
