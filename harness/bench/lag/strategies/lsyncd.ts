/**
 * rsync triggered by file-system events: Debian's lsyncd on the primary pushes each batch of
 * changed paths into the backup's staging tree. An inotifywait loop on the backup applies each
 * burst that arrives with the design's staged apply, limited to the Maildir folders the burst
 * changed. The loop also applies the whole tree when it starts and every 300 s.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { REPLICATION_PROXY } from '../../../bed/links/links.js';
import type { ReplicationStrategy, StrategyContext, SyncPass } from './strategy.js';

const APPLY_LOG = '/var/log/mailha-apply.log';
const APPLY_PID = '/run/mailha-apply.pid';
const LSYNCD_LOG = '/var/log/mailha-lsyncd.log';
const LSYNCD_PID = '/run/mailha-lsyncd.pid';
/** lsyncd's first full rsync scans the whole store; at 100k messages over 1 Mbit/s that takes minutes. */
const STARTUP_TIMEOUT_MS = 600_000;
/** The apply loop's first apply covers the whole staging tree; full applies took 4 to 11 s at 100k messages on the 2-core bench machine. */
const FIRST_APPLY_TIMEOUT_MS = 120_000;

export class LsyncdStrategy implements ReplicationStrategy {
  readonly name = 'lsyncd' as const;
  readonly proxy = REPLICATION_PROXY;
  private applyLines = 0;
  private done: SyncPass[] = [];

  constructor(private readonly context: StrategyContext) {}

  async start(): Promise<void> {
    const { bed } = this.context;
    // setsid gives the loop a process group of its own, so stop() ends inotifywait with it.
    await bed.exec('backup', ['bash', '-c', `setsid bash -c 'echo $$ > ${APPLY_PID}; exec /usr/local/sbin/mailha-apply-on-change' >${APPLY_LOG} 2>&1 </dev/null &`]);
    // The loop starts with a full apply, and waiting for it keeps that apply out of the cell's passes.
    const firstApplyDeadline = Date.now() + FIRST_APPLY_TIMEOUT_MS;
    while ((await this.applyLog()).length === 0) {
      if (Date.now() > firstApplyDeadline) {
        const log = await bed.exec('backup', ['bash', '-c', `cat ${APPLY_LOG} 2>/dev/null || true`]);
        throw new Error(`mailha-apply-on-change on the backup did not finish its first full apply within ${FIRST_APPLY_TIMEOUT_MS} ms; its log:\n${log.slice(-2000)}`);
      }
      await sleep(200);
    }
    await bed.exec('primary-1', ['/usr/local/sbin/mailha-lsyncd-start', bed.replicationTarget(), String(this.context.timing.lsyncdDelaySeconds)]);
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (!/Startup of .* finished/.test(await this.lsyncdLog())) {
      if (Date.now() > deadline) throw new Error(`lsyncd on primary-1 did not finish its startup rsync within ${STARTUP_TIMEOUT_MS} ms; its log:\n${(await this.lsyncdLog()).slice(-2000)}`);
      await sleep(200);
    }
    // The startup rsync may trigger one apply; let it finish before the cell counts passes.
    await sleep(500);
    this.applyLines = (await this.applyLog()).length;
    this.done = [];
  }

  async stop(): Promise<void> {
    const { bed } = this.context;
    await this.collect();
    await bed.exec('primary-1', ['bash', '-c', `[[ -f ${LSYNCD_PID} ]] && kill -TERM "$(cat ${LSYNCD_PID})" || true`]);
    await bed.exec('backup', ['bash', '-c', `[[ -f ${APPLY_PID} ]] && kill -TERM -- "-$(cat ${APPLY_PID})" || true; rm -f ${APPLY_PID}`]);
    // lsyncd removes its pid file on exit; waiting for that keeps two lsyncd from overlapping.
    for (let i = 0; i < 50; i += 1) {
      const left = await bed.exec('primary-1', ['bash', '-c', `pgrep -x lsyncd || true`]);
      if (left.trim() === '') return;
      await sleep(100);
    }
    this.context.log.warn({ strategy: this.name }, 'lsyncd still runs 5 s after SIGTERM');
  }

  passes(): SyncPass[] {
    return [...this.done];
  }

  /**
   * Reads the apply loop's lines since start as passes. The loop stamps each apply's end with
   * the wall clock, which containers share with the host, so the bench maps it onto its own clock.
   */
  async collect(): Promise<void> {
    const lines = await this.applyLog();
    const wallToBench = Date.now() - this.context.now();
    for (const line of lines.slice(this.applyLines)) {
      const match = /mailha: apply (done|failed) ms=(\d+) end=(\d+)(?: scope=(\S+))?/.exec(line);
      if (!match || match[1] === 'failed') this.context.log.info({ strategy: this.name, line }, 'Apply loop on the backup logged a line that is no pass, or a failed apply');
      if (!match) continue;
      const ms = Number(match[2]);
      const endAt = Number(match[3]) - wallToBench;
      // fullApply is 1 for an apply of the whole staging tree, 0 for one limited to folders.
      const stats = { applyMs: ms, fullApply: match[4] === 'full' ? 1 : 0 };
      this.done.push({ startAt: endAt - ms, endAt, ok: match[1] === 'done', stats, ...(match[1] === 'failed' ? { error: line } : {}) });
    }
    this.applyLines = lines.length;
  }

  private async lsyncdLog(): Promise<string> {
    return this.context.bed.exec('primary-1', ['bash', '-c', `cat ${LSYNCD_LOG} 2>/dev/null || true`]);
  }

  private async applyLog(): Promise<string[]> {
    const text = await this.context.bed.exec('backup', ['bash', '-c', `cat ${APPLY_LOG} 2>/dev/null || true`]);
    return text.split('\n').filter((line) => line.includes('mailha: apply'));
  }
}
