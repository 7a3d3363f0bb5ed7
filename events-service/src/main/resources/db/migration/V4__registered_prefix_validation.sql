-- Registered-prefix validation: the state routes-service last gave each registered prefix, and the change
-- a RegisteredPrefixValidationStateChangeEvent carries. The poller locks the state rows, writes the changed
-- states, appends their events and enqueues their alerts in one transaction, so each change is emitted
-- once however often the poller restarts and however many replicas poll.

-- Validation-state changes: the registered prefix, the states before and after, the reasons (null otherwise).
ALTER TABLE events.prefix_events ADD COLUMN validation jsonb;

-- The state each registered prefix was last seen in (rewritten only when the state changes).
CREATE TABLE events.registered_prefix_states (
    registered_prefix text        PRIMARY KEY,   -- peerings/{peering}/registeredPrefixes/{name}
    peering           text        NOT NULL,      -- peerings/{peering}
    prefix            cidr        NOT NULL,
    state             smallint    NOT NULL,      -- v1 RegisteredPrefixValidationState number (1 Verified .. 5 Unknown)
    reasons           jsonb       NOT NULL,      -- routes-service's reasons for it, a JSON array ([] for Verified)
    checked_time      timestamptz NOT NULL,      -- when routes-service computed it: older observations are ignored
    updated_at        timestamptz NOT NULL DEFAULT now()
);
