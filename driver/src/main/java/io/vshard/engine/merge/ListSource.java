package io.vshard.engine.merge;

import java.util.Iterator;
import java.util.List;

/** Rows already in memory: a materialized shard result, or held groups. */
public final class ListSource implements RowSource {
    private final Iterator<Object[]> it;

    /** Streams {@code rows}. */
    public ListSource(List<Object[]> rows) {
        this.it = rows.iterator();
    }

    @Override
    public Object[] next() {
        return it.hasNext() ? it.next() : null;
    }

    @Override
    public void close() {}
}
