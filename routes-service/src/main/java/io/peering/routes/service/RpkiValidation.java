package io.peering.routes.service;

import io.peering.routes.repository.RpkiStateUpdater;
import io.peering.routes.rpki.IpPrefix;
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

    private final RpkiStateUpdater updater;
    private final Optional<Path> roaFile;
    private final Duration pollInterval;
    private volatile RoaSet roas = RoaSet.empty();
    private RoaFileWatcher watcher;

    public RpkiValidation(RpkiStateUpdater updater,
                          @ConfigProperty(name = "peering.rpki.roa-file") Optional<Path> roaFile,
                          @ConfigProperty(name = "peering.rpki.poll-interval", defaultValue = "PT10S") Duration pollInterval) {
        this.updater = updater;
        this.roaFile = roaFile;
        this.pollInterval = pollInterval;
    }

    void start(@Observes StartupEvent event) {
        if (roaFile.isEmpty()) {
            LOG.warn("peering.rpki.roa-file is not set: every route is RPKI NotFound. Point it at an rpki-client or"
                    + " Routinator JSON export (PEERING_RPKI_ROA_FILE) to validate");
            return;
        }
        watcher = RoaFileWatcher.start(roaFile.get(), pollInterval, this::use);
    }

    /** Puts a ROA set in force: new routes are validated against it, stored routes re-validated. */
    void use(RoaSet set) {
        roas = set;
        LOG.infof("RPKI: %d ROAs in force (%s); re-validating stored routes", set.size(), roaFile.orElse(null));
        updater.revalidateAll((prefix, originAsn) -> {
                    Result r = validate(set, prefix, originAsn);
                    return new RpkiStateUpdater.StateAndAnchor(r.state(), r.trustAnchor());
                })
                .subscribe().with(changed -> LOG.infof("RPKI: %d stored routes changed validation state", changed),
                        e -> LOG.errorf(e, "RPKI: re-validating stored routes failed; they keep their previous state"
                                + " until the next ROA change"));
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
        return result(current.validate(prefixAddress, prefixLength, originAsn));
    }

    private static Result validate(RoaSet set, String prefix, long originAsn) {
        return set.isEmpty() ? NOT_FOUND : result(set.validate(IpPrefix.parse(prefix), originAsn));
    }

    private static Result result(Validation v) {
        short state = switch (v.state()) {
            case VALID -> 1;
            case INVALID -> 2;
            case NOT_FOUND -> 3;
        };
        return new Result(state, v.trustAnchor());
    }
}
