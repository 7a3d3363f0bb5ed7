package io.peering.events;

import io.grpc.ManagedChannel;
import io.peering.support.testing.FoundationContractTest;
import io.quarkus.test.junit.QuarkusTest;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.util.List;

@QuarkusTest
class EventsFoundationTest extends FoundationContractTest {

    @Override
    protected String grpcServiceName() {
        return "peering.events.v1.EventsService";
    }

    @Override
    protected String schema() {
        return "events";
    }

    @Override
    protected List<String> expectedHypertables() {
        return List.of("prefix_events");
    }

    @Override
    protected String retentionTestTable() {
        return "events.prefix_events";
    }

    @Override
    protected String markerColumn() {
        return "summary";
    }

    @Override
    protected String insertRowAtTimeWithMarker() {
        return "INSERT INTO events.prefix_events (time, seq, peering_service, prefix, type, level, connection, summary, description) "
                + "VALUES ($1, 0, 'peeringServices/test', '192.0.2.0/24', 1, 1, 'peerings/test/connections/test', $2, 'test')";
    }

    @Override
    protected ThrowingCallable callAnRpcNotYetImplemented(ManagedChannel channel) {
        return null; // ListPrefixEvents and WatchPrefixEvents are implemented
    }
}
