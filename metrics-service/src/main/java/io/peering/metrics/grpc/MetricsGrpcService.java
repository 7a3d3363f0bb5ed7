package io.peering.metrics.grpc;

import io.peering.metrics.v1.MutinyMetricsServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * The gRPC face of metrics-service. RPCs not yet implemented answer UNIMPLEMENTED (the
 * generated base class does that); nothing answers with made-up data.
 */
@GrpcService
public class MetricsGrpcService extends MutinyMetricsServiceGrpc.MetricsServiceImplBase {
}
