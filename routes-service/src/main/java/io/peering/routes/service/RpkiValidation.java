package io.peering.routes.service;

import io.peering.routes.repository.RpkiStateUpdater;
import io.peering.routes.rpki.RoaFileWatcher;
import io.peering.routes.rpki.RoaSet;
import io.peering.routes.rpki.RpkiVerdict;
import io.peering.support.net.IpPrefix;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

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
        updater.revalidateAll((prefix, originAsn) -> set.validate(IpPrefix.parse(prefix), originAsn))
                .subscribe().with(changed -> LOG.infof("RPKI: %d stored routes changed validation state", changed),
                        e -> LOG.errorf(e, "RPKI: re-validating stored routes failed; they keep their previous state"
                                + " until the next ROA change"));
    }

    void stop(@Observes ShutdownEvent event) {
        if (watcher != null) {
            watcher.close();
        }
    }

    /** The verdict on a route under the ROA set in force. */
    public RpkiVerdict validate(IpPrefix prefix, long originAsn) {
        return roas.validate(prefix, originAsn);
    }

    /** The ROA set in force now (immutable: a reader that takes it once sees one set throughout). */
    public RoaSet roaSet() {
        return roas;
    }
}
