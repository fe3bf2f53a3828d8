/** The SQLite journal of trades, orders and signal events: written by the daemon, read by the CLI. */
export { JOURNAL_FILE, Journal, backupJournal, journalPath, readTrades, type TradeFilter } from './journal.js';
export type { ClosedTrade, NewTrade, OpenTrade, SignalEvent, Trade, TradeClose } from './trade.js';
