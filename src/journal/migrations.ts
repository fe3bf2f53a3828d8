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
