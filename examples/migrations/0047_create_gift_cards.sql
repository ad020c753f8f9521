-- Gift cards: a new table, so its index and constraints cost nothing yet.
SET lock_timeout = '2s';

CREATE TABLE gift_cards (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  balance_cents bigint NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
  issued_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX gift_cards_issued_at_idx ON gift_cards (issued_at);

-- dbops-ignore: creating-index-non-concurrently audit_events is append-only with ~2,000 rows; the build takes milliseconds and writers can wait that long
CREATE INDEX audit_events_created_at_idx ON audit_events (created_at);
