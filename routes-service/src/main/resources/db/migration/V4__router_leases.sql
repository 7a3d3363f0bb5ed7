-- Which collector replica holds each router: a lease per router, kept in the database so that several
-- routes-service replicas can run behind one BMP load balancer. The replica a router is connected to
-- holds its lease and renews it while connected; when the router disconnects, the lease is let run out
-- (the grace period). A lease not renewed by its expiry (the router gone, or its replica dead) is
-- claimed by one replica, which takes the router's sessions down once and then deletes the lease.
-- epoch is raised each time the lease changes hands: a replica's withdrawals of a router are fenced by
-- the epoch it holds (checked in the same transaction), so no replica withdraws the routes of a router
-- another replica took over.
CREATE TABLE routes.router_leases (
    router     inet        PRIMARY KEY,
    owner      text        NOT NULL,   -- the replica holding it ('' when adopted at start-up for a router not seen yet)
    epoch      bigint      NOT NULL,
    connected  boolean     NOT NULL,   -- the router is connected to the owner
    expires    timestamptz NOT NULL    -- database time; renewed while connected
);
