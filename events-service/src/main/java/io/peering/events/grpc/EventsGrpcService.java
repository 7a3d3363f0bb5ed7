package io.peering.events.grpc;

import io.peering.events.v1.MutinyEventsServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * The gRPC face of events-service. RPCs not yet implemented answer UNIMPLEMENTED (the
 * generated base class does that); nothing answers with made-up data.
 */
@GrpcService
public class EventsGrpcService extends MutinyEventsServiceGrpc.EventsServiceImplBase {
}
