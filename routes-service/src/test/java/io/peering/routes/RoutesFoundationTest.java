package io.peering.routes;

import io.grpc.ManagedChannel;
import io.peering.support.testing.FoundationContractTest;
import io.quarkus.test.junit.QuarkusTest;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.util.List;

@QuarkusTest
class RoutesFoundationTest extends FoundationContractTest {

    @Override
    protected String grpcServiceName() {
        return "peering.routes.v1.RoutesService";
    }

    @Override
    protected String schema() {
        return "routes";
    }

    @Override
    protected List<String> expectedHypertables() {
        return List.of("route_changes", "session_transitions", "statistics_reports");
    }

    @Override
    protected String retentionTestTable() {
        return "routes.route_changes";
    }

    @Override
    protected String markerColumn() {
        return "reason";
    }

    @Override
    protected String insertRowAtTimeWithMarker() {
        return "INSERT INTO routes.route_changes (time, seq, router, peer_address, peer_asn, rib, prefix, withdrawn, reason) "
                + "VALUES ($1, 0, '192.0.2.1', '192.0.2.2', 64500, 1, '192.0.2.0/24', true, $2)";
    }

    @Override
    protected ThrowingCallable callAnRpcNotYetImplemented(ManagedChannel channel) {
        return null; // every RPC of RoutesService is implemented
    }
}
