-- Looking glass (BgpRoute): routes by prefix, whatever the peer. A longest-prefix match probes the
-- btree once per candidate length (/32../0, /128../0) with "prefix = ANY(...)"; an exact match probes
-- it once; a more-specific match is a btree range ("prefix <<= x"). Keyed in the lookup's page order.
CREATE INDEX adj_rib_in_prefix ON routes.adj_rib_in (prefix, router, peer_distinguisher, peer_address, rib, path_id);
