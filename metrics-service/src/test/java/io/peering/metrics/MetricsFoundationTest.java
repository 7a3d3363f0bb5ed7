package io.peering.metrics;

import io.grpc.ManagedChannel;
import io.peering.support.testing.FoundationContractTest;
import io.quarkus.test.junit.QuarkusTest;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.util.List;

@QuarkusTest
class MetricsFoundationTest extends FoundationContractTest {

    @Override
    protected String grpcServiceName() {
        return "peering.metrics.v1.MetricsService";
    }

    @Override
    protected String schema() {
        return "metrics";
    }

    @Override
    protected List<String> expectedHypertables() {
        return List.of("connection_samples", "session_transitions", "rate_intervals", "rate_short_intervals", "rate_seconds", "rate_minutes", "rate_5minutes", "rate_hours",
                "rate_days", "rate_scopes");
    }

    @Override
    protected String retentionTestTable() {
        return "metrics.session_transitions";
    }

    @Override
    protected String markerColumn() {
        return "reason";
    }

    @Override
    protected String insertRowAtTimeWithMarker() {
        return "INSERT INTO metrics.session_transitions (time, connection, session_address, address_family, state, reason, source) "
                + "VALUES ($1, 'peerings/test/connections/test', '192.0.2.2', 1, 7, $2, 'test')";
    }

    @Override
    protected ThrowingCallable callAnRpcNotYetImplemented(ManagedChannel channel) {
        return null; // every RPC of MetricsService is implemented
    }
}
