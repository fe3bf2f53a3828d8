/**
 * `ft-edge demo --api PORT`: the newcomer's way to see ft-edge in FreqUI. The compiled executable, its REST API
 * logged into with the demo's login over real HTTP, stopped with Ctrl-C (SIGINT).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, it } from 'node:test';
import { cli, MAIN_JS } from './run-cli.js';

/** A port that was free a moment ago (the demo's --api takes a number, not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

it('demo --api serves the REST API with the demo login, and Ctrl-C ends it cleanly', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN_JS, 'demo', '--api', String(port)], { env: { PATH: process.env['PATH'] ?? '' } });
  after(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('stop with Ctrl-C')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${stderr}`)));
  });
  assert.match(stdout, new RegExp(`^REST API for FreqUI on http://127\\.0\\.0\\.1:${port} \\(user demo, password demo\\)$`, 'm'));

  const base = `http://127.0.0.1:${port}/api/v1`;
  const login = await fetch(`${base}/token/login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` } });
  assert.equal(login.status, 200);
  const { access_token } = (await login.json()) as { access_token: string };
  const config = await fetch(`${base}/show_config`, { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal(config.status, 200);
  assert.equal(((await config.json()) as { dry_run: boolean }).dry_run, true);
  const wrong = await fetch(`${base}/status`, { headers: { authorization: `Basic ${Buffer.from('demo:wrong').toString('base64')}` } });
  assert.equal(wrong.status, 401);

  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
});

it('demo refuses a bad --api and --cors without --api, with usage exit codes', async () => {
  const bad = await cli(['demo', '--api', 'eighty']);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /option --api takes a port number, got eighty/);
  const low = await cli(['demo', '--api', '80']);
  assert.equal(low.code, 2);
  assert.match(low.stderr, /api_server\.listen_port: must be 1024\.\.65535, got 80/);
  const cors = await cli(['demo', '--cors', 'http://127.0.0.1:3000']);
  assert.equal(cors.code, 64);
  assert.match(cors.stderr, /option --cors needs --api/);
});
