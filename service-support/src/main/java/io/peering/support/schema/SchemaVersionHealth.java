package io.peering.support.schema;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.regex.Pattern;

/**
 * Readiness detail "schema": the primary answers, and the service's schema there has every migration this build
 * brings. It is the services' database check (Quarkus's datasource checks are off: the JDBC one opened a JDBC
 * connection, which only Flyway uses, on every probe). A service migrates its schema at start unless
 * {@code peering.migrate} is false (PEERING_MIGRATE=false: the migrations ran once before, e.g.
 * {@code PEERING_MIGRATE=true QUARKUS_INIT_AND_EXIT=true}, and the service starts without Flyway's cost). Started
 * against a schema that is behind, the service stays not ready and says what to run, instead of failing on a missing
 * column at the first query.
 */
@Readiness
@ApplicationScoped
public class SchemaVersionHealth implements AsyncHealthCheck {

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private final Pool pool;
    private final String schema;
    private final int needed;
    /** Built once from the configured schema name (an identifier cannot be a bound parameter). */
    private final String lastVersionSql;

    public SchemaVersionHealth(Pool pool, @ConfigProperty(name = "quarkus.flyway.schemas") String schema,
                               @ConfigProperty(name = "peering.db.schema-version") int needed) {
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("quarkus.flyway.schemas must be one plain schema name, not '" + schema + "'");
        }
        this.pool = pool;
        this.schema = schema;
        this.needed = needed;
        this.lastVersionSql = "SELECT max(version::int) AS version FROM " + schema + ".flyway_schema_history WHERE success";
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query(lastVersionSql).execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return judge(row.getInteger("version"));
                })
                .onFailure(SchemaVersionHealth::noHistoryTable).recoverWithItem(() -> judge(null))
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("schema").down()
                        .withData("schema", schema).withData("why", "reading the migration history failed: " + e.getMessage()).build());
    }

    /** The answer for the schema's last applied migration ({@code null}: none applied). */
    HealthCheckResponse judge(Integer applied) {
        if (applied != null && applied >= needed) {
            return up(applied);
        }
        String why = applied == null
                ? "schema " + schema + " has no migrations applied; this build needs version " + needed
                : "schema " + schema + " is at version " + applied + "; this build needs version " + needed;
        return HealthCheckResponse.named("schema").down().withData("schema", schema).withData("needed", needed)
                .withData("why", why + ": run the migrations once (PEERING_MIGRATE=true QUARKUS_INIT_AND_EXIT=true, same "
                        + "image and database settings) or start a replica with PEERING_MIGRATE=true")
                .build();
    }

    private HealthCheckResponse up(int applied) {
        return HealthCheckResponse.named("schema").up().withData("schema", schema).withData("version", applied)
                .withData("needed", needed).build();
    }

    private static boolean noHistoryTable(Throwable e) {
        return e instanceof PgException pg && ("42P01".equals(pg.getSqlState()) || "3F000".equals(pg.getSqlState()));
    }
}
