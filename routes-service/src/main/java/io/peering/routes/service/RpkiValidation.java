package io.peering.routes.service;

import io.peering.routes.rpki.RoaFileWatcher;
import io.peering.routes.rpki.RoaSet;
import io.peering.routes.rpki.Validation;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * RFC 6811 origin validation of received routes against the ROA set of {@code peering.rpki.roa-file}
 * (rpki-client or Routinator JSON export), reloaded when the file changes.
 */
@ApplicationScoped
public class RpkiValidation {

    private static final Logger LOG = Logger.getLogger(RpkiValidation.class);

    /** @param state RpkiValidationState number: 1 valid, 2 invalid, 3 not found */
    public record Result(short state, String trustAnchor) {
    }

    private static final Result NOT_FOUND = new Result((short) 3, "");

    private final Optional<Path> roaFile;
    private final Duration pollInterval;
    private volatile RoaSet roas = RoaSet.empty();
    private RoaFileWatcher watcher;

    public RpkiValidation(@ConfigProperty(name = "peering.rpki.roa-file") Optional<Path> roaFile,
                          @ConfigProperty(name = "peering.rpki.poll-interval", defaultValue = "PT10S") Duration pollInterval) {
        this.roaFile = roaFile;
        this.pollInterval = pollInterval;
    }

    void start(@Observes StartupEvent event) {
        if (roaFile.isEmpty()) {
            LOG.warn("peering.rpki.roa-file is not set: every route is RPKI NotFound. Point it at an rpki-client or"
                    + " Routinator JSON export (PEERING_RPKI_ROA_FILE) to validate");
            return;
        }
        watcher = RoaFileWatcher.start(roaFile.get(), pollInterval, set -> {
            roas = set;
            LOG.infof("RPKI: %d ROAs loaded from %s", set.size(), roaFile.get());
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (watcher != null) {
            watcher.close();
        }
    }

    public Result validate(InetAddress prefixAddress, int prefixLength, long originAsn) {
        RoaSet current = roas;
        if (current.isEmpty()) {
            return NOT_FOUND;
        }
        Validation v = current.validate(prefixAddress, prefixLength, originAsn);
        short state = switch (v.state()) {
            case VALID -> 1;
            case INVALID -> 2;
            case NOT_FOUND -> 3;
        };
        return new Result(state, v.trustAnchor());
    }
}
