package io.peering.latency.grpc;

import io.peering.latency.v1.MutinyLatencyServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * The gRPC face of latency-service. RPCs not yet implemented answer UNIMPLEMENTED (the
 * generated base class does that); nothing answers with made-up data.
 */
@GrpcService
public class LatencyGrpcService extends MutinyLatencyServiceGrpc.LatencyServiceImplBase {
}
