package io.vshard.sql.route;

/**
 * One alternative of a statement's key condition: the values that a matching row's shard-key columns must
 * have (each may be unknown, {@code null}). {@code array} marks a creator value that is an array ({@code = ANY(?)}).
 */
record Alt(ValueRef creator, boolean array, ValueRef region, ValueRef window) {
    static final Alt EMPTY = new Alt(null, false, null, null);

    Alt and(Alt o) {
        return new Alt(
                creator != null ? creator : o.creator,
                creator != null ? array : o.array,
                region != null ? region : o.region,
                window != null ? window : o.window);
    }
}
