package io.vshard.sql.route;

import io.vshard.sql.parse.Scan;
import java.util.List;

/**
 * Where a key value comes from: a slot of the statement (parameter or normalized literal), possibly negated,
 * or a constant Calcite kept as a literal.
 */
record ValueRef(int slot, boolean negate, Object constant) {

    static ValueRef slot(int slot, boolean negate) {
        return new ValueRef(slot, negate, null);
    }

    static ValueRef constant(Object value) {
        return new ValueRef(-1, false, value);
    }

    Object resolve(Scan scan, List<Object> parameters) {
        Object v = slot >= 0 ? scan.slotValue(slot, parameters) : constant;
        if (!negate || v == null) {
            return v;
        }
        if (v instanceof Number n) {
            return new java.math.BigDecimal(n.toString()).negate();
        }
        return "-" + v.toString().trim();
    }
}
