-- Alerts: the outbox of alert deliveries, one row per alert and receiver. Rows are written in the
-- feed's transaction, with the events that fire and resolve them, and sent by the alert sender
-- (rows claimed with FOR UPDATE SKIP LOCKED, so two replicas never send the same row at once).

CREATE TABLE events.alert_outbox (
    id              bigserial   PRIMARY KEY,           -- names its deliveries: alert-{id}-firing, alert-{id}-resolved
    rule            text        NOT NULL,              -- peering.alerts.rules.{rule}
    receiver        text        NOT NULL,              -- peering.alerts.receivers.{receiver}
    alert           text        NOT NULL,              -- the incident, or event-{seq} for a one-shot event
    incident        boolean     NOT NULL,              -- true: resolved by the incident's resolved event
    fired_by        jsonb       NOT NULL,              -- the event that fired it
    resolved_by     jsonb,                             -- incidents: the event that resolved it
    starts_at       timestamptz NOT NULL,              -- the firing event's time
    ends_at         timestamptz,                       -- one-shots: starts_at + the one-shot duration; incidents: when resolved
    fire_at         timestamptz NOT NULL,              -- starts_at + the rule's `for`: an incident resolved before is never sent
    fired_at        timestamptz,                       -- when the receiver accepted the firing
    done_at         timestamptz,                       -- nothing left to send (pruned some days later)
    next_attempt_at timestamptz NOT NULL,              -- 'infinity' while a webhook's incident is open and fired
    failures        integer     NOT NULL DEFAULT 0,    -- failed attempts in a row of the next delivery
    last_error      text
);
-- An incident has one open alert per rule and receiver; a later incident of the same id is a new alert.
CREATE UNIQUE INDEX alert_outbox_open_incident ON events.alert_outbox (rule, receiver, alert) WHERE incident AND ends_at IS NULL;
CREATE INDEX alert_outbox_due ON events.alert_outbox (next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX alert_outbox_done ON events.alert_outbox (done_at) WHERE done_at IS NOT NULL;
