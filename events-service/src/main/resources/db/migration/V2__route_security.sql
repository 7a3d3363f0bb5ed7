-- Route security: hijack, RPKI-invalid and leak events of peerings, as incidents (one event opens
-- an incident, a resolved event of the same type and incident ends it), and the incidents open now.

-- The peering every event belongs to ('' on events stored before V2: a query by peering finds those
-- through their peering service), the incident it opens or ends, and the route-security details.
ALTER TABLE events.prefix_events
    ADD COLUMN peering  text    NOT NULL DEFAULT '',
    ADD COLUMN incident text    NOT NULL DEFAULT '',
    ADD COLUMN resolved boolean NOT NULL DEFAULT false,
    ADD COLUMN security jsonb;
CREATE INDEX prefix_events_peering_time ON events.prefix_events (peering, time DESC, seq DESC);

-- The incidents open now: one per offending route (router, BGP peer, ADD-PATH id, prefix) and what it
-- offends (type, peering, registered or service prefix). Written in the feed's transaction, with the
-- events that open and end them, so each is opened and ended once however often the feed restarts.
CREATE TABLE events.open_incidents (
    incident        text        PRIMARY KEY,
    type            smallint    NOT NULL,
    peering         text        NOT NULL,
    peering_service text        NOT NULL,
    prefix          cidr        NOT NULL,   -- the registered or service prefix offended (or the route's own)
    router          inet        NOT NULL,
    peer_address    inet        NOT NULL,
    path_id         bigint      NOT NULL,
    route_prefix    cidr        NOT NULL,
    opened_at       timestamptz NOT NULL,
    connection      text        NOT NULL,   -- the connection of the session the route came over ('' when none)
    security        jsonb       NOT NULL
);
CREATE INDEX open_incidents_route ON events.open_incidents (router, peer_address, path_id, route_prefix);
