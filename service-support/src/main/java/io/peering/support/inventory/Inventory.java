package io.peering.support.inventory;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * The declarative inventory: peerings with their connections, registered ASNs and prefixes,
 * and peering services. One YAML file (a ConfigMap in Kubernetes) under the key {@code inventory},
 * loaded with {@code quarkus.config.locations}; each service uses the parts it needs.
 * {@link InventoryIndex} validates it at start-up and answers look-ups.
 */
@ConfigMapping(prefix = "inventory")
public interface Inventory {

    /** Peerings: one per peer network and location. */
    List<Peering> peerings();

    /** Peering services: prefixes served over a primary and an optional backup connection. */
    Optional<List<PeeringService>> peeringServices();

    interface Peering {
        /** Resource id: the peering is {@code peerings/{name}}. */
        String name();

        /** The peer's ASN (what BGP shows as the neighbour AS). */
        long peerAsn();

        /** ASNs registered for the peering (the peer's customers' origin ASNs included). */
        Optional<List<RegisteredAsn>> registeredAsns();

        /** Prefixes registered for latency reporting. */
        Optional<List<RegisteredPrefix>> registeredPrefixes();

        /** Physical or logical connections of the peering. */
        List<Connection> connections();
    }

    interface Connection {
        /** Resource id inside the peering: {@code peerings/{peering}/connections/{name}}. */
        String name();

        /** The peer's side BGP session addresses (what BMP reports as peer address), IPv4 and/or IPv6. */
        List<String> sessionAddresses();

        /** Provisioned bandwidth in Mbit/s; used to reject absurd traffic rates. */
        @WithDefault("10000")
        long bandwidthMbps();
    }

    interface RegisteredAsn {
        /** Resource id: {@code peerings/{peering}/registeredAsns/{name}}. */
        String name();

        long asn();
    }

    interface RegisteredPrefix {
        /** Resource id: {@code peerings/{peering}/registeredPrefixes/{name}}. */
        String name();

        /** CIDR, host bits zero. */
        String prefix();
    }

    interface PeeringService {
        /** Resource id: {@code peeringServices/{name}}. */
        String name();

        /** The peering whose connections carry the service. */
        String peering();

        /** Connection name (inside the peering) of the primary path. */
        String primaryConnection();

        /** Connection name of the backup path, if any. */
        Optional<String> backupConnection();

        /** The service's prefixes (CIDR). */
        List<String> prefixes();
    }
}
