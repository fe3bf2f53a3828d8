/** Polls `cond` every 10 ms until it holds; fails naming `what` after `ms`. For waiting on sockets and processes. */
export async function until(cond: () => boolean, what = 'a condition', ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
