package io.vshard.manifest.digest;

import java.util.HexFormat;

/**
 * The order-independent digest of a set of rows: the row count and the two lanes of every
 * {@link RowDigest} summed modulo 2<sup>64</sup>. Addition (not XOR) keeps duplicates visible: a row
 * present twice changes the digest. Combining is associative and commutative, so shards can be digested
 * in parallel batches and merged. Immutable.
 *
 * @param rows the number of rows
 * @param sumHigh sum of the rows' high lanes, mod 2^64
 * @param sumLow sum of the rows' low lanes, mod 2^64
 */
public record CohortDigest(long rows, long sumHigh, long sumLow) {
    /** The digest of no rows. */
    public static final CohortDigest EMPTY = new CohortDigest(0, 0, 0);

    /** This digest with one more row. */
    public CohortDigest add(RowDigest row) {
        return new CohortDigest(rows + 1, sumHigh + row.high(), sumLow + row.low());
    }

    /** The digest of the union of two disjoint row sets. */
    public CohortDigest combine(CohortDigest other) {
        return new CohortDigest(rows + other.rows, sumHigh + other.sumHigh, sumLow + other.sumLow);
    }

    /** {@code rows:} then 32 hex digits, for example {@code 3:9f...}. */
    @Override
    public String toString() {
        return rows + ":" + HexFormat.of().toHexDigits(sumHigh) + HexFormat.of().toHexDigits(sumLow);
    }

    /** A mutable accumulator for hot loops; not thread safe. */
    public static final class Accumulator {
        private long rows;
        private long sumHigh;
        private long sumLow;

        /** Adds one row. */
        public void add(RowDigest row) {
            rows++;
            sumHigh += row.high();
            sumLow += row.low();
        }

        /** The digest of the rows added so far. */
        public CohortDigest result() {
            return new CohortDigest(rows, sumHigh, sumLow);
        }
    }
}
