/**
 * The journal's schema, one migration per version. `PRAGMA user_version` holds the version a database is at;
 * a migration runs in one transaction with the version bump, so a crash leaves the old or the new schema.
 * Append new versions; never edit a released one.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: trades, their orders, and the strategy signals acted on or refused.
  `
  CREATE TABLE trades (
    id             INTEGER PRIMARY KEY,
    strategy       TEXT    NOT NULL,
    producer       TEXT    NOT NULL,
    pair           TEXT    NOT NULL,
    timeframe      TEXT    NOT NULL,
    candle_type    TEXT    NOT NULL,
    is_short       INTEGER NOT NULL CHECK (is_short IN (0, 1)),
    is_open        INTEGER NOT NULL CHECK (is_open IN (0, 1)),
    stake_currency TEXT    NOT NULL,
    stake_amount   REAL    NOT NULL,
    amount         REAL    NOT NULL,
    open_rate      REAL    NOT NULL,
    open_date      INTEGER NOT NULL,
    open_candle    INTEGER NOT NULL,
    fee_open       REAL    NOT NULL,
    fee_close      REAL    NOT NULL,
    stop_loss      REAL    NOT NULL,
    enter_tag      TEXT,
    close_rate     REAL,
    close_date     INTEGER,
    close_candle   INTEGER,
    profit_abs     REAL,
    profit_ratio   REAL,
    exit_reason    TEXT,
    CHECK (is_open = 1 OR (close_rate IS NOT NULL AND close_date IS NOT NULL AND close_candle IS NOT NULL
                           AND profit_abs IS NOT NULL AND profit_ratio IS NOT NULL AND exit_reason IS NOT NULL))
  ) STRICT;
  CREATE UNIQUE INDEX trades_one_open_per_pair ON trades (pair) WHERE is_open = 1;
  CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    trade_id      INTEGER NOT NULL REFERENCES trades (id),
    ft_order_side TEXT    NOT NULL CHECK (ft_order_side IN ('buy', 'sell')),
    is_entry      INTEGER NOT NULL CHECK (is_entry IN (0, 1)),
    price         REAL    NOT NULL,
    amount        REAL    NOT NULL,
    cost          REAL    NOT NULL,
    fee_cost      REAL    NOT NULL,
    order_date    INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE signal_events (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    producer    TEXT    NOT NULL,
    pair        TEXT    NOT NULL,
    timeframe   TEXT    NOT NULL,
    candle_type TEXT    NOT NULL,
    candle      INTEGER NOT NULL,
    signal      TEXT    NOT NULL,
    tag         TEXT,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('entered', 'exited', 'refused')),
    detail      TEXT,
    trade_id    INTEGER REFERENCES trades (id)
  ) STRICT;
  `,
  // 2: wall-clock times of opening and closing (open_date/close_date are the candle times the fills are
  // simulated at, which run ahead of the wall clock on an accelerated demo producer); NULL for older rows.
  `
  ALTER TABLE trades ADD COLUMN opened_at INTEGER;
  ALTER TABLE trades ADD COLUMN closed_at INTEGER;
  `,
  // 3: where a write is tried, to find out whether the journal can be written again after a failed write.
  `
  CREATE TABLE journal_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, pad BLOB NOT NULL) STRICT;
  `,
  // 4: live orders. Every order has a state and, when live, the client order id it was placed under (made of this
  // journal's random instance id and the order's own id, so none is ever sent twice) and the exchange's order id. An
  // entry that never filled leaves its trade and keeps its order (trade_id NULL). trades.live marks real trades.
  `
  CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  INSERT INTO journal_meta (key, value) VALUES ('instance', lower(hex(randomblob(4))));
  CREATE TABLE orders_v4 (
    id                INTEGER PRIMARY KEY,
    trade_id          INTEGER REFERENCES trades (id),
    pair              TEXT    NOT NULL,
    ft_order_side     TEXT    NOT NULL CHECK (ft_order_side IN ('buy', 'sell')),
    is_entry          INTEGER NOT NULL CHECK (is_entry IN (0, 1)),
    order_type        TEXT    NOT NULL CHECK (order_type IN ('limit', 'market')),
    client_order_id   TEXT    UNIQUE,
    exchange_order_id TEXT,
    status            TEXT    NOT NULL CHECK (status IN ('intent', 'open', 'unknown', 'closed', 'canceled', 'expired', 'rejected')),
    price             REAL    NOT NULL,
    amount            REAL    NOT NULL,
    filled            REAL    NOT NULL,
    average           REAL,
    cost              REAL    NOT NULL,
    fee_cost          REAL    NOT NULL,
    fee_currency      TEXT,
    order_date        INTEGER NOT NULL,
    updated_at        INTEGER
  ) STRICT;
  INSERT INTO orders_v4 (id, trade_id, pair, ft_order_side, is_entry, order_type, status, price, amount, filled, average,
    cost, fee_cost, order_date)
    SELECT o.id, o.trade_id, t.pair, o.ft_order_side, o.is_entry, 'market', 'closed', o.price, o.amount, o.amount,
      o.price, o.cost, o.fee_cost, o.order_date
    FROM orders o JOIN trades t ON t.id = o.trade_id;
  DROP TABLE orders;
  ALTER TABLE orders_v4 RENAME TO orders;
  CREATE INDEX orders_by_trade ON orders (trade_id);
  ALTER TABLE trades ADD COLUMN live INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1));
  `,
];

/** Schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings a database to SCHEMA_VERSION; throws a one-line Error when it is newer than this build knows. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`schema version ${current} is newer than this ft-edge understands (${SCHEMA_VERSION})`);
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
