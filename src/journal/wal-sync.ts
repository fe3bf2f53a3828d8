/**
 * Durability without blocking the event loop. The journal runs SQLite with synchronous=NORMAL, so a commit only
 * writes its WAL frames into the page cache (fast) and SQLite itself syncs at checkpoints; after each commit this
 * syncs the WAL file on libuv's thread pool, and the caller acts once that resolved: the same guarantee as
 * synchronous=FULL (the committed frames are on the storage before anything is done about them), but a slow SD
 * card (hundreds of ms per fsync) no longer stops ingest, pings and the watchdog meanwhile. Commits close
 * together share one sync.
 */
import { open, type FileHandle } from 'node:fs/promises';

export class WalSync {
  private file: FileHandle | null = null;
  /** Commits so far, and the number covered by the last completed sync. */
  private committed = 0;
  private synced = 0;
  private running: Promise<void> | null = null;

  constructor(private readonly walPath: string) {}

  async start(): Promise<void> {
    this.file ??= await open(this.walPath, 'r');
  }

  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.file?.close();
    this.file = null;
  }

  /** Call right after a commit; resolves once that commit is on the storage (rejects with the sync's error). */
  async committedNow(): Promise<void> {
    const mine = ++this.committed;
    while (this.synced < mine) {
      if (this.running === null) {
        const upTo = this.committed;
        this.running = this.sync(upTo).finally(() => (this.running = null));
      }
      await this.running;
    }
  }

  private async sync(upTo: number): Promise<void> {
    if (this.file === null) throw new Error('journal is not open');
    await this.file.datasync();
    if (upTo > this.synced) this.synced = upTo;
  }
}
