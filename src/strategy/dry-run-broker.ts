/**
 * Dry-run trading with freqtrade's meanings: a simulated wallet, fees on both sides. Fills happen at the close
 * of the candle that triggered them (a stop at its stop price), in full, as soon as the journal holds them.
 */
import type { ClosedTrade, OpenTrade, TradeClose } from '../journal/index.js';
import { Broker, fmt, side, type Candle, type SignalRow } from './broker.js';
import { profitAbs, profitRatio, stopPrice } from './trade-math.js';

export class DryRunBroker extends Broker {
  readonly live = false;

  protected totalStake(): number {
    return this.settings.dry_run_wallet + this.realised;
  }

  async exit(c: Candle, s: SignalRow | null): Promise<ClosedTrade | null> {
    const t = this.open.get(c.key.pair);
    const d = t === undefined ? null : this.exitDecision(t, c, s);
    if (t === undefined || d === null) return null;
    return this.close(t, d.rate, d.reason, c.closeTime, c.date, d.signal === null ? null : this.event(c, d.signal, s!.exitTag, 'exited', null));
  }

  async forceExit(t: OpenTrade, rate: number | null): Promise<string> {
    if (rate === null) return `#${t.id} ${t.pair}: no price seen yet for it; not exited`;
    const closed = await this.close(t, rate, 'force_exit', this.now(), t.openCandle + 1, null);
    return closed === null ? `#${t.id} ${t.pair}: the exit could not be journaled; still open` : `#${t.id} ${t.pair}: exited at ${rate}`;
  }

  private async close(t: OpenTrade, rate: number, reason: string, at: number, candle: number, event: Parameters<typeof this.journal.recordExit>[2]): Promise<ClosedTrade | null> {
    const close: TradeClose = {
      closeRate: rate, closeDate: at, closeCandle: candle, profitAbs: profitAbs(t, rate), profitRatio: profitRatio(t, rate),
      exitReason: reason, closedAt: this.now(),
    };
    let closed: ClosedTrade;
    try {
      closed = await this.journal.recordExit(t, close, event);
    } catch (err) {
      this.log.error(`${t.pair}: exit (${reason}) not recorded, trade stays open and the exit is tried again on the next candle: ${(err as Error).message}`);
      this.journalFailed(err);
      return null;
    }
    this.journalWorks();
    this.closed(t, closed, candle);
    return closed;
  }

  async enter(c: Candle, s: SignalRow, shortAllowed: boolean): Promise<OpenTrade | null> {
    const dir = this.entrySide(s, shortAllowed);
    if (dir === null || !this.mayEnter(c)) return null;
    if (!(await this.journalWritable())) return null; // durable before acting: no trade the journal cannot hold
    const isShort = dir === 'short';
    const signal = isShort ? 'enter_short' : 'enter_long';
    const stake = this.stake();
    if (typeof stake === 'string') {
      await this.refuse(c, signal, s.enterTag, stake);
      return null;
    }
    const st = this.settings;
    let t: OpenTrade;
    try {
      t = await this.journal.recordEntry(
        {
          strategy: st.strategy, producer: c.producer, pair: c.key.pair, timeframe: c.key.timeframe, candleType: c.key.candleType,
          isShort, stakeCurrency: st.stake_currency, stakeAmount: stake, amount: stake / c.close, openRate: c.close,
          openDate: c.closeTime, openCandle: c.date, feeOpen: st.fee, feeClose: st.fee,
          stopLoss: stopPrice(c.close, st.stoploss, isShort), enterTag: s.enterTag, openedAt: this.now(),
        },
        this.event(c, signal, s.enterTag, 'entered', null),
      );
    } catch (err) {
      this.log.error(`${c.key.pair}: entry not recorded, no trade opened: ${(err as Error).message}`);
      this.journalFailed(err);
      return null;
    }
    this.journalWorks();
    const tag = t.enterTag === null ? '' : ` [${t.enterTag}]`;
    this.opened(t, `#${t.id} ${side(isShort)} at ${t.openRate}${tag}, stake ${fmt(stake)} ${st.stake_currency}`);
    this.onTrade('entry-filled', t); // a paper entry fills as it is made
    return t;
  }
}
