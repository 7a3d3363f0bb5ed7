package io.peering.support.replica;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** {@code peering.db.read.*}: where the query RPCs read ({@link ReadPool}). */
@ConfigMapping(prefix = "peering.db.read")
public interface ReadPoolConfig {

    /**
     * A PostgreSQL streaming replica of the service's database, {@code postgresql://host:port/database} (the
     * primary's user and password are used). Unset: every read goes to the primary.
     */
    Optional<String> url();

    /** The most a replica may be behind for queries to read from it; further behind, they read the primary. */
    @WithDefault("PT5S")
    Duration maxLag();

    /** How often the replica's lag is measured (once a second at the most often). */
    @WithDefault("PT1S")
    Duration checkInterval();

    /** Connections to the replica. */
    @WithDefault("8")
    int maxSize();
}
