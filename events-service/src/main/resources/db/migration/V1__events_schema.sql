-- events-service schema: derived prefix events (the log), and where derivation stands.

CREATE TABLE events.prefix_events (
    time              timestamptz NOT NULL,   -- router's time of the route change behind the event
    seq               bigint      NOT NULL,   -- log position (the Watch cursor)
    peering_service   text        NOT NULL,   -- peeringServices/{name}
    prefix            cidr        NOT NULL,
    type              smallint    NOT NULL,   -- PrefixEventType
    level             smallint    NOT NULL,   -- EventLevel
    connection        text        NOT NULL,
    summary           text        NOT NULL,
    description       text        NOT NULL,
    as_path_before    text        NOT NULL DEFAULT '',
    as_path_after     text        NOT NULL DEFAULT '',
    origin_asn_before bigint,
    origin_asn_after  bigint
);
SELECT create_hypertable('events.prefix_events', by_range('time', INTERVAL '7 days'));
CREATE INDEX prefix_events_seq ON events.prefix_events (seq);
CREATE INDEX prefix_events_service_time ON events.prefix_events (peering_service, time DESC, seq DESC);

CREATE SEQUENCE events.event_seq AS bigint;

-- Where each followed feed stands, written in the same transaction as the events derived from it.
CREATE TABLE events.feed_cursors (
    feed       text PRIMARY KEY,   -- e.g. 'routes.WatchRouteChanges'
    cursor     text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
