package io.peering.routes.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/** The BMP collector's settings ({@code peering.bmp.*}). */
@ConfigMapping(prefix = "peering.bmp")
public interface CollectorConfig {

    /** Address the BMP listener binds to. */
    @WithDefault("0.0.0.0")
    String host();

    /** TCP port routers connect to (RFC 7854 names none; 11019 is common). 0 picks a free port. */
    @WithDefault("11019")
    int port();

    /**
     * Source address ranges (CIDR) routers may connect from; any other connection is closed at
     * once, logged and counted ({@code peering_bmp_refused_total{reason="source-address"}}).
     * Loopback only unless configured: list the routers' management ranges.
     */
    @WithDefault("127.0.0.0/8,::1/128")
    List<String> allowedSources();

    /** BMP connections open at once, all routers together; more are refused until one closes. */
    @WithDefault("64")
    int maxSessions();

    /** Route changes written per statement batch (per lane). */
    @WithDefault("5000")
    int batchSize();

    /**
     * Connections a router's batch is written over at once, split by route (each route's changes
     * stay in order). More lanes use more database cores for one router's full-table dump.
     */
    @WithDefault("2")
    int writeLanes();

    /** A partial batch is written after at most this long. */
    @WithDefault("PT0.05S")
    Duration flushInterval();

    /**
     * Batches a router may have waiting for the database before the collector stops decoding its spool (what the
     * router sends meanwhile waits there): this bounds memory per router.
     */
    @WithDefault("2")
    int maxPendingBatches();

    /**
     * Where each router session's BMP bytes wait for the database (a local directory only this process uses; in
     * Kubernetes an emptyDir, which outlives a container restart). At start-up, what a previous run received
     * and did not store is stored first.
     */
    @WithDefault("${java.io.tmpdir}/peering-bmp-spool")
    String spoolDirectory();

    /**
     * Bytes one router session may have waiting in the spool (received, not yet stored); past this the
     * collector stops reading its socket, and TCP slows the router down.
     */
    @WithDefault("268435456")
    long spoolMaxBytes();

    /**
     * How often every spool is put on disk (fsync of its bytes and position): what a crash of the machine (not of the
     * process, which loses nothing) may lose of what routers sent and was not stored yet.
     */
    @WithDefault("PT1S")
    Duration spoolSyncInterval();

    /** A write that failed because the database is away is tried again, backing off from 100 ms to at most this. */
    @WithDefault("PT5S")
    Duration writeRetryMaxBackoff();

    /**
     * How long a router whose BMP session dropped may take to come back before its peers are
     * taken down and their routes withdrawn.
     */
    @WithDefault("PT30S")
    Duration routerGracePeriod();

    /**
     * After a session already known as up is re-established, routes not re-sent are withdrawn at
     * the router's End-of-RIB for their family, or after this long when it sends none. Peers stored
     * as up that a router has not reported (Peer Up) this long after its BMP session started are
     * taken down: they went down while the collector was not receiving.
     */
    @WithDefault("PT5M")
    Duration resyncTimeout();
}
