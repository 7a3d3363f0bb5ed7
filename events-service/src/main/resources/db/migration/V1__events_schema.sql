-- events-service schema: derived prefix events (the log), the route state they are derived
-- from, and where derivation stands. Events, state and cursor change in one transaction.

CREATE TABLE events.prefix_events (
    time              timestamptz NOT NULL,   -- router's time of the route change behind the event
    seq               bigint      NOT NULL,   -- log position (the Watch cursor), grows in commit order
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
    origin_asn_after  bigint,
    route_cursor      bigint      NOT NULL DEFAULT 0  -- routes-service cursor of the route change behind the event
);
SELECT create_hypertable('events.prefix_events', by_range('time', INTERVAL '7 days'));
CREATE INDEX prefix_events_seq ON events.prefix_events (seq);
CREATE INDEX prefix_events_service_time ON events.prefix_events (peering_service, time DESC, seq DESC);

-- The position of each log. The feed adds its events' count to last_seq inside its transaction,
-- which holds the row lock until commit: so seq grows in commit order, and a watcher that has
-- seen seq N never later finds an event below N.
CREATE TABLE events.log_positions (
    log      text PRIMARY KEY,
    last_seq bigint NOT NULL
);
INSERT INTO events.log_positions VALUES ('prefix_events', 0);

-- Where each followed feed stands, written in the same transaction as the events derived from it.
-- The row is locked by each transaction of the feed, so two feeds (two replicas, or a stopped feed
-- whose last transaction is still committing) never derive the same change twice.
CREATE TABLE events.feed_cursors (
    feed       text PRIMARY KEY,   -- 'routes.WatchRouteChanges'
    cursor     text NOT NULL,      -- '' before the first change: start at the earliest retained
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO events.feed_cursors (feed, cursor) VALUES ('routes.WatchRouteChanges', '');

-- The routes currently received for each peering-service prefix over each of its connections:
-- one row per route of the followed RIB view (router, peer address, ADD-PATH id).
CREATE TABLE events.prefix_routes (
    peering_service text    NOT NULL,
    prefix          cidr    NOT NULL,
    role            smallint NOT NULL,   -- 1 primary, 2 backup connection
    router          inet    NOT NULL,
    peer_address    inet    NOT NULL,
    path_id         bigint  NOT NULL,
    as_path         text    NOT NULL,
    origin_asn      bigint  NOT NULL,
    received_time   timestamptz NOT NULL,
    PRIMARY KEY (peering_service, prefix, role, router, peer_address, path_id)
);
