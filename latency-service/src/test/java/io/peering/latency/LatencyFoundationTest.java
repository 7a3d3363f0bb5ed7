package io.peering.latency;

import io.grpc.ManagedChannel;
import io.peering.support.testing.FoundationContractTest;
import io.quarkus.test.junit.QuarkusTest;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.util.List;

@QuarkusTest
class LatencyFoundationTest extends FoundationContractTest {

    @Override
    protected String grpcServiceName() {
        return "peering.latency.v1.LatencyService";
    }

    @Override
    protected String schema() {
        return "latency";
    }

    @Override
    protected List<String> expectedHypertables() {
        return List.of("samples", "hourly");
    }

    @Override
    protected String retentionTestTable() {
        return "latency.samples";
    }

    @Override
    protected String markerColumn() {
        return "probe_location";
    }

    @Override
    protected String insertRowAtTimeWithMarker() {
        return "INSERT INTO latency.samples (time, prefix, target, rtt_ms, probe_location) "
                + "VALUES ($1, '192.0.2.0/24', '192.0.2.1', 12.5, $2)";
    }

    @Override
    protected ThrowingCallable callAnRpcNotYetImplemented(ManagedChannel channel) {
        return null; // every RPC of LatencyService is implemented
    }
}
