package io.peering.support.sql;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the column arrays of a bulk statement ({@code unnest($1::text[], $2::bigint[], ...)}):
 * say each column's Java type (String, Long, Short, Boolean, OffsetDateTime), add rows, and
 * {@link #tuple()} gives one typed array per column.
 */
// Native images: the typed arrays are made with Array.newInstance, so their classes are registered.
@RegisterForReflection(targets = {String[].class, Long[].class, Short[].class, Boolean[].class, Double[].class,
        java.time.OffsetDateTime[].class, Integer[].class})
public final class Columns {

    private final Class<?>[] types;
    private final Object[][] values;
    private int added;

    public Columns(int rows, Class<?>... types) {
        this.types = types;
        this.values = new Object[types.length][rows];
    }

    public void add(Object... row) {
        if (row.length != types.length) {
            throw new IllegalArgumentException("row has " + row.length + " values for " + types.length + " columns");
        }
        for (int i = 0; i < row.length; i++) {
            values[i][added] = row[i];
        }
        added++;
    }

    public Tuple tuple() {
        List<Object> arrays = new ArrayList<>(types.length);
        for (int i = 0; i < types.length; i++) {
            Object typed = Array.newInstance(types[i], added);
            System.arraycopy(values[i], 0, typed, 0, added);
            arrays.add(typed);
        }
        return Tuple.tuple(arrays);
    }
}
