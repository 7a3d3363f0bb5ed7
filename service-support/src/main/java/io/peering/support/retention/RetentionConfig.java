package io.peering.support.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/** How long a service keeps its time-series data. */
@ConfigMapping(prefix = "peering.retention")
public interface RetentionConfig {

    /** Data older than this is dropped, a whole chunk at a time (ISO-8601 duration, e.g. P90D). */
    @WithDefault("P90D")
    Duration period();

    /** The hypertables the job trims, schema-qualified ("routes.route_changes"). */
    List<String> hypertables();
}
