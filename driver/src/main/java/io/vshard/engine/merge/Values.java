package io.vshard.engine.merge;

import io.vshard.sql.Merge.SortKey;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Value arithmetic and ordering for merges. Numbers of different Java types compare and add by value;
 * strings compare by code point, which matches the backends only under a binary ("C") collation: the
 * per-shard order of text keys under other collations may differ (a documented limitation).
 */
final class Values {
    private Values() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y && a.getClass() != b.getClass()) {
            return decimal(x).compareTo(decimal(y));
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.compareUnsigned(x, y);
        }
        if (a instanceof Comparable c && a.getClass().isInstance(b)) {
            return c.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }

    static Comparator<Object[]> comparator(List<SortKey> keys) {
        return (r1, r2) -> {
            for (SortKey k : keys) {
                Object a = r1[k.column()];
                Object b = r2[k.column()];
                int c;
                if (a == null || b == null) {
                    c = a == b ? 0 : ((a == null) == k.nullsFirst() ? -1 : 1);
                } else {
                    c = compare(a, b);
                    if (k.descending()) {
                        c = -c;
                    }
                }
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
    }

    static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (n instanceof Double || n instanceof Float) {
            return BigDecimal.valueOf(n.doubleValue());
        }
        return BigDecimal.valueOf(n.longValue());
    }

    /** The sum of two values of a SUM or COUNT column, keeping the type of the inputs where it can. */
    static Object add(Object a, Object b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        Number x = (Number) a;
        Number y = (Number) b;
        if (isIntegral(x) && isIntegral(y)) {
            try {
                long s = Math.addExact(x.longValue(), y.longValue());
                return a instanceof Integer && b instanceof Integer && s == (int) s ? (Object) (int) s : (Object) s;
            } catch (ArithmeticException e) {
                return BigDecimal.valueOf(x.longValue()).add(BigDecimal.valueOf(y.longValue()));
            }
        }
        if ((x instanceof Double || x instanceof Float) && (y instanceof Double || y instanceof Float)) {
            return x.doubleValue() + y.doubleValue();
        }
        return decimal(x).add(decimal(y));
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
    }
}
