-- routes-service schema. The log is the hypertable: every route change and session transition
-- is kept (until retention drops its chunk); the current Adj-RIB-In and sessions are plain tables.

-- Routers that speak BMP to the collector (one row per router address).
CREATE TABLE routes.routers (
    router          inet PRIMARY KEY,
    sys_name        text NOT NULL DEFAULT '',
    sys_descr       text NOT NULL DEFAULT '',
    connected       boolean NOT NULL DEFAULT false,
    connected_since timestamptz,
    last_seen       timestamptz NOT NULL DEFAULT now()
);

-- The position of each log. A writer adds its rows' count to last_seq inside its transaction,
-- which holds the row lock until commit: so seq grows in commit order, and a reader that has seen
-- seq N never later finds a row below N (the Watch cursors rely on it).
CREATE TABLE routes.log_positions (
    log      text PRIMARY KEY,
    last_seq bigint NOT NULL
);
INSERT INTO routes.log_positions VALUES ('route_changes', 0), ('session_transitions', 0);

-- Every change of a route's state: announcements (new route or new attributes) and withdrawals.
CREATE TABLE routes.route_changes (
    time               timestamptz NOT NULL,      -- router's time of the change
    seq                bigint      NOT NULL,
    router             inet        NOT NULL,
    peer_distinguisher bigint      NOT NULL DEFAULT 0,
    peer_address       inet        NOT NULL,
    peer_asn           bigint      NOT NULL,
    rib                smallint    NOT NULL,      -- 1 Adj-RIB-In pre-policy, 2 post-policy, 3 Loc-RIB
    prefix             cidr        NOT NULL,
    path_id            bigint      NOT NULL DEFAULT 0,
    withdrawn          boolean     NOT NULL,
    reason             text        NOT NULL DEFAULT '',  -- for withdrawals: by peer, peer down, router gone
    origin             smallint,                  -- 0 IGP, 1 EGP, 2 INCOMPLETE
    as_path            text,                      -- "64500 64501 {64502,64503}"
    origin_asn         bigint,
    next_hop           inet,
    med                bigint,
    local_pref         bigint,
    communities        text[],
    large_communities  text[]
);
SELECT create_hypertable('routes.route_changes', by_range('time', INTERVAL '1 day'));
CREATE INDEX route_changes_seq ON routes.route_changes (seq);
-- btree, not GiST: history looks prefixes up exactly, and PostgreSQL turns "prefix <<= x" into a
-- btree range; btree inserts cost far less than GiST ones at full-table rates.
CREATE INDEX route_changes_prefix ON routes.route_changes (prefix, time);

-- The current Adj-RIB-In (and Loc-RIB) of every peer: one row per route.
CREATE TABLE routes.adj_rib_in (
    router                 inet     NOT NULL,
    peer_distinguisher     bigint   NOT NULL DEFAULT 0,
    peer_address           inet     NOT NULL,
    rib                    smallint NOT NULL,
    prefix                 cidr     NOT NULL,
    path_id                bigint   NOT NULL DEFAULT 0,
    peer_asn               bigint   NOT NULL,
    received_time          timestamptz NOT NULL,
    origin                 smallint,
    as_path                text     NOT NULL DEFAULT '',
    origin_asn             bigint,
    next_hop               inet,
    med                    bigint,
    local_pref             bigint,
    communities            text[]   NOT NULL DEFAULT '{}',
    large_communities      text[]   NOT NULL DEFAULT '{}',
    rpki_state             smallint NOT NULL DEFAULT 3,  -- RpkiValidationState: 1 valid, 2 invalid, 3 not found
    trust_anchor           text     NOT NULL DEFAULT '',
    -- set when the peer's session is re-established (Peer Up for a session already up): cleared as
    -- the router re-sends the route; still set at End-of-RIB means withdrawn meanwhile
    stale                  boolean  NOT NULL DEFAULT false,
    PRIMARY KEY (router, peer_distinguisher, peer_address, rib, prefix, path_id)
);
-- ListReceivedRoutes pages in this order (keyset paging).
CREATE INDEX adj_rib_in_listing ON routes.adj_rib_in (peer_address, prefix, router, peer_distinguisher, rib, path_id);

-- BGP sessions as BMP reports them.
CREATE TABLE routes.sessions (
    router             inet     NOT NULL,
    peer_distinguisher bigint   NOT NULL DEFAULT 0,
    peer_address       inet     NOT NULL,
    peer_asn           bigint   NOT NULL,
    peer_bgp_id        inet,
    local_address      inet,
    local_asn          bigint,
    state              smallint NOT NULL,            -- SessionState: 2 Idle, 7 Established
    state_since        timestamptz NOT NULL,
    last_error         text     NOT NULL DEFAULT '',
    routes_count       bigint   NOT NULL DEFAULT 0,    -- rows in adj_rib_in, kept by the writers
    PRIMARY KEY (router, peer_distinguisher, peer_address)
);

-- Every session transition, the feed of metrics-service.
CREATE TABLE routes.session_transitions (
    time                 timestamptz NOT NULL,
    seq                  bigint      NOT NULL,
    router               inet        NOT NULL,
    peer_distinguisher   bigint      NOT NULL DEFAULT 0,
    peer_address         inet        NOT NULL,
    peer_asn             bigint      NOT NULL,
    previous_state       smallint    NOT NULL,
    state                smallint    NOT NULL,
    reason               text        NOT NULL DEFAULT '',
    peer_down_reason     smallint    NOT NULL DEFAULT 0,
    notification_code    smallint    NOT NULL DEFAULT 0,
    notification_subcode smallint    NOT NULL DEFAULT 0
);
SELECT create_hypertable('routes.session_transitions', by_range('time', INTERVAL '7 days'));
CREATE INDEX session_transitions_seq ON routes.session_transitions (seq);

-- BMP Statistics Reports, stored as received.
CREATE TABLE routes.statistics_reports (
    time               timestamptz NOT NULL,
    router             inet        NOT NULL,
    peer_distinguisher bigint      NOT NULL DEFAULT 0,
    peer_address       inet        NOT NULL,
    stat_type          integer     NOT NULL,
    value              numeric(20, 0) NOT NULL
);
SELECT create_hypertable('routes.statistics_reports', by_range('time', INTERVAL '7 days'));
CREATE INDEX statistics_reports_peer ON routes.statistics_reports (router, peer_address, time DESC);
