package io.peering.support.sql;

import io.vertx.mutiny.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** A WHERE clause built from optional conditions, each with its own numbered parameters. */
public final class SqlFilter {

    private final List<String> conditions = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();

    /** Adds a condition; each "?" in it becomes the next $n parameter, in order. */
    public SqlFilter and(String condition, Object... values) {
        StringBuilder sql = new StringBuilder();
        int v = 0;
        for (char ch : condition.toCharArray()) {
            if (ch == '?') {
                params.add(values[v++]);
                sql.append('$').append(params.size());
            } else {
                sql.append(ch);
            }
        }
        conditions.add(sql.toString());
        return this;
    }

    /** A parameter that is not part of a condition (LIMIT, say): returns its placeholder. */
    public String param(Object value) {
        params.add(value);
        return "$" + params.size();
    }

    public String where() {
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    public Tuple tuple() {
        return Tuple.tuple(params);
    }
}
