/** The SQLite journal of trades, orders and signal events: written by the daemon, read by the CLI. */
export { JOURNAL_FILE, Journal, journalPath, type TradeBook } from './journal.js';
export { backupJournal, readJournal, readTrades, type JournalContents, type TradeFilter } from './journal-reader.js';
export type { ClosedTrade, NewOrder, NewTrade, OpenTrade, OrderRecord, OrderStatus, SignalEvent, Trade, TradeClose } from './trade.js';
export { freqtradeOrder, freqtradeTrade, ftDate, tradeDurationMs, type PricedAt } from './freqtrade-json.js';
