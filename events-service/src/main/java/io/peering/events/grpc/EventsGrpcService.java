package io.peering.events.grpc;

import io.peering.common.v1.StartPosition;
import io.peering.events.mapping.EventMapper;
import io.peering.events.service.EventsService;
import io.peering.events.v1.EventLevel;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.events.v1.ListPrefixEventsResponse;
import io.peering.events.v1.MutinyEventsServiceGrpc;
import io.peering.events.v1.PrefixEventType;
import io.peering.events.v1.WatchPrefixEventsRequest;
import io.peering.events.v1.WatchPrefixEventsResponse;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.time.ProtoTimes;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.util.List;

/** The gRPC face of events-service: request fields in, {@link EventsService}, messages out. */
@GrpcService
public class EventsGrpcService extends MutinyEventsServiceGrpc.EventsServiceImplBase {

    private final EventsService events;

    public EventsGrpcService(EventsService events) {
        this.events = events;
    }

    @Override
    public Uni<ListPrefixEventsResponse> listPrefixEvents(ListPrefixEventsRequest request) {
        return Uni.createFrom().deferred(() -> {
                    if (!request.hasTimeRange()) {
                        throw ApiErrors.invalidArgument("time_range is required: give start_time and end_time");
                    }
                    return events.list(request.getParent(), request.getPrefix(),
                            ProtoTimes.instantIfSet("time_range.start_time", request.getTimeRange().hasStartTime(),
                                    request.getTimeRange().getStartTime()),
                            ProtoTimes.instantIfSet("time_range.end_time", request.getTimeRange().hasEndTime(),
                                    request.getTimeRange().getEndTime()),
                            types(request.getTypesList()), levels(request.getLevelsList()), request.getPageSize(),
                            request.getPageToken());
                })
                .map(page -> ListPrefixEventsResponse.newBuilder()
                        .addAllEvents(page.events().stream().map(EventMapper::event).toList())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    @Override
    public Multi<WatchPrefixEventsResponse> watchPrefixEvents(WatchPrefixEventsRequest request) {
        return Multi.createFrom().deferred(() -> {
                    if (request.getStartPosition() == StartPosition.UNRECOGNIZED) {
                        throw ApiErrors.invalidArgument("start_position " + request.getStartPositionValue() + " is not a known"
                                + " value; use START_POSITION_LATEST, START_POSITION_EARLIEST, or leave it unset (latest)");
                    }
                    return events.watch(request.getParent(), request.getPrefix(), types(request.getTypesList()),
                            levels(request.getLevelsList()), request.getAfterCursor(),
                            request.getStartPosition() == StartPosition.START_POSITION_EARLIEST);
                })
                .map(batch -> WatchPrefixEventsResponse.newBuilder()
                        .addAllEvents(batch.stream().map(EventMapper::event).toList()).build());
    }

    private static List<Short> types(List<PrefixEventType> types) {
        return types.stream().map(t -> {
            if (t == PrefixEventType.PREFIX_EVENT_TYPE_UNSPECIFIED || t == PrefixEventType.UNRECOGNIZED) {
                throw ApiErrors.invalidArgument("types may only hold event types such as"
                        + " PREFIX_EVENT_TYPE_PREFIX_WITHDRAWAL_EVENT; " + t + " is none (leave types empty for all)");
            }
            return (short) t.getNumber();
        }).distinct().sorted().toList();
    }

    private static List<Short> levels(List<EventLevel> levels) {
        return levels.stream().map(l -> {
            if (l == EventLevel.EVENT_LEVEL_UNSPECIFIED || l == EventLevel.UNRECOGNIZED) {
                throw ApiErrors.invalidArgument("levels may only hold EVENT_LEVEL_INFORMATION, _WARNING, _ERROR or"
                        + " _CRITICAL; " + l + " is none (leave levels empty for all)");
            }
            return (short) l.getNumber();
        }).distinct().sorted().toList();
    }
}
