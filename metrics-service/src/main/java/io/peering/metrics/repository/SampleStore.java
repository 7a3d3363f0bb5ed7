package io.peering.metrics.repository;

import io.peering.metrics.Sample;
import io.peering.support.sql.Columns;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** Counter samples, written in bulk through unnest arrays; a repeated sample is stored once. */
@ApplicationScoped
public class SampleStore {

    /** Counters travel as text and become numeric(20,0) in SQL: the reactive client has no unsigned 64-bit type. */
    private static final String INSERT = """
            INSERT INTO metrics.connection_samples (time, connection, session_address, in_octets, out_octets, in_discards, out_discards)
            SELECT t, c, a, i::numeric, o::numeric, di::numeric, dout::numeric
            FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                 AS u(t, c, a, i, o, di, dout)
            ON CONFLICT DO NOTHING
            """;

    private final Pool pool;

    public SampleStore(Pool pool) {
        this.pool = pool;
    }

    /** Stores the samples in one statement; answers how many were new (the rest were already stored). */
    public Uni<Integer> insert(List<Sample> samples) {
        if (samples.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Columns columns = new Columns(samples.size(), OffsetDateTime.class, String.class, String.class, String.class,
                String.class, String.class, String.class);
        for (Sample s : samples) {
            columns.add(OffsetDateTime.ofInstant(s.time(), ZoneOffset.UTC), s.connection(), s.sessionAddress(),
                    Long.toUnsignedString(s.inOctets()), Long.toUnsignedString(s.outOctets()),
                    Long.toUnsignedString(s.inDiscards()), Long.toUnsignedString(s.outDiscards()));
        }
        return pool.preparedQuery(INSERT).execute(columns.tuple()).map(rows -> rows.rowCount());
    }
}
