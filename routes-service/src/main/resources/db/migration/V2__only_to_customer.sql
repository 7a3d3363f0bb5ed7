-- RFC 9234 Only-To-Customer (path attribute 35): the ASN the attribute carries; null when the UPDATE had none.
-- A change of it is a change of the route, so it is kept in the Adj-RIB-In and in the change log alike.
ALTER TABLE routes.adj_rib_in ADD COLUMN only_to_customer bigint;
ALTER TABLE routes.route_changes ADD COLUMN only_to_customer bigint;
