package io.peering.support.inventory;

import io.peering.support.net.IpAddresses;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.source.yaml.YamlConfigSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InventoryIndexTest {

    static Inventory load(String yaml) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(Inventory.class)
                .withSources(new YamlConfigSource("test-inventory", yaml))
                .build();
        return config.getConfigMapping(Inventory.class);
    }

    @Test
    void theSampleInventoryLoadsAndMapsSessionAddressesToConnections() throws IOException {
        Path sample = Path.of("..", "deploy", "inventory", "sample-inventory.yaml");
        InventoryIndex index = new InventoryIndex(load(Files.readString(sample)));

        assertThat(index.connectionBySessionAddress(IpAddresses.parse("127.0.0.11")))
                .get().extracting(InventoryIndex.ConnectionRef::resourceName).isEqualTo("peerings/contoso-ams/connections/ams-1");
        assertThat(index.connectionBySessionAddress(IpAddresses.parse("fd00:64:500:0::12")))
                .get().extracting(InventoryIndex.ConnectionRef::resourceName).isEqualTo("peerings/contoso-ams/connections/ams-2");
        assertThat(index.connectionBySessionAddress(IpAddresses.parse("127.0.0.99"))).isEmpty();
        assertThat(index.peeringService("contoso-web")).get()
                .satisfies(s -> assertThat(s.backupConnection()).contains("ams-2"));
        assertThat(index.peering("fabrikam-lon")).get().extracting(Inventory.Peering::peerAsn).isEqualTo(4200000002L);
    }

    @Test
    void ownAsnsOfAPeeringAreItsPeerAsnThenItsRegisteredAsnsEachOnce() throws IOException {
        Path sample = Path.of("..", "deploy", "inventory", "sample-inventory.yaml");
        InventoryIndex index = new InventoryIndex(load(Files.readString(sample)));

        // contoso-ams: peer AS64500, registered AS64500 (again) and AS4200000001
        assertThat(InventoryIndex.ownAsns(index.peering("contoso-ams").orElseThrow())).containsExactly(64500L, 4200000001L);
    }

    @Test
    void aBrokenInventoryIsRefusedNamingEveryWrongEntry() {
        String yaml = """
                inventory:
                  peerings:
                    - name: a
                      peer-asn: 64500
                      registered-prefixes:
                        - name: web
                          prefix: 198.51.100.1/24
                      connections:
                        - name: c1
                          session-addresses: [192.0.2.1]
                        - name: c2
                          session-addresses: [192.0.2.1, not-an-address]
                  peering-services:
                    - name: s
                      peering: a
                      primary-connection: c1
                      backup-connection: c9
                      prefixes: [203.0.113.0/24]
                """;
        assertThatThrownBy(() -> new InventoryIndex(load(yaml)))
                .hasMessageContaining("peerings/a/registeredPrefixes/web: '198.51.100.1/24' has host bits set")
                .hasMessageContaining("session address 192.0.2.1 is used by both peerings/a/connections/c1 and peerings/a/connections/c2")
                .hasMessageContaining("'not-an-address' is not an IPv4 or IPv6 address")
                .hasMessageContaining("backup-connection 'c9' is not a connection of peering 'a'");
    }
}
