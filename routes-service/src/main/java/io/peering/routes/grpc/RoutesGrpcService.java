package io.peering.routes.grpc;

import io.peering.routes.v1.MutinyRoutesServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * The gRPC face of routes-service. RPCs not yet implemented answer UNIMPLEMENTED (the
 * generated base class does that); nothing answers with made-up data.
 */
@GrpcService
public class RoutesGrpcService extends MutinyRoutesServiceGrpc.RoutesServiceImplBase {
}
