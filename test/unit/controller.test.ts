/** The failover controller's decision rule and its rounds, with a fake bed and fake probes: no Docker. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FailoverController, type Probe } from '../../harness/controller/controller.js';
import { FailoverDecision, type ProbeResult } from '../../harness/controller/decision.js';
import type { DnsUpdateOutcome } from '../../harness/bed/bed.js';
import { HistoryRecorder } from '../../harness/history/recorder.js';
import { isEvent } from '../../harness/history/types.js';
import type { FailoverConfig, NodeName } from '../../harness/scenario/schema.js';

const PRIMARIES: NodeName[] = ['primary-1', 'primary-2'];
const THRESHOLDS = { failureThreshold: 3, recoveryThreshold: 2, failback: true };

function round(up: Partial<Record<NodeName, boolean>>): ProbeResult[] {
  return PRIMARIES.map((node) => (up[node] ?? true ? { node, ok: true } : { node, ok: false, error: 'no IMAP greeting within 1000 ms' }));
}

const ALL_DOWN = round({ 'primary-1': false, 'primary-2': false });
const ALL_UP = round({});

describe('FailoverDecision', () => {
  it('fails over after threshold failures', () => {
    const decision = new FailoverDecision(THRESHOLDS, PRIMARIES);

    expect(decision.observe(ALL_DOWN, 1000).repoint).toBeNull();
    expect(decision.observe(ALL_DOWN, 2000).repoint).toBeNull();
    const third = decision.observe(ALL_DOWN, 3000);

    expect(third.repoint).toBe('backup');
    expect(third.changes.map((change) => [change.node, change.health, change.consecutive, change.since])).toEqual([
      ['primary-1', 'down', 3, 1000],
      ['primary-2', 'down', 3, 1000],
    ]);
    expect(third.changes[0].error).toBe('no IMAP greeting within 1000 ms');
  });

  it('stays put while one primary answers', () => {
    const decision = new FailoverDecision(THRESHOLDS, PRIMARIES);
    const oneDown = round({ 'primary-1': false });

    const decisions = [1, 2, 3, 4, 5].map((time) => decision.observe(oneDown, time));

    expect(decisions.map((each) => each.repoint)).toEqual([null, null, null, null, null]);
    expect(decision.healthOf('primary-1')).toBe('down');
    expect(decision.healthOf('primary-2')).toBe('up');
  });

  it('restarts the failure count after a pass', () => {
    const decision = new FailoverDecision(THRESHOLDS, PRIMARIES);

    decision.observe(ALL_DOWN, 1);
    decision.observe(ALL_DOWN, 2);
    decision.observe(ALL_UP, 3);
    decision.observe(ALL_DOWN, 4);
    const fifth = decision.observe(ALL_DOWN, 5);

    expect(fifth.repoint).toBeNull();
    expect(fifth.changes).toEqual([]);
    expect(decision.observe(ALL_DOWN, 6).repoint).toBe('backup');
  });

  it('keeps failed repoint pending', () => {
    const decision = new FailoverDecision(THRESHOLDS, PRIMARIES);
    for (const time of [1, 2, 3]) decision.observe(ALL_DOWN, time);

    const next = decision.observe(ALL_DOWN, 4);

    expect(next.repoint).toBe('backup');
    expect(next.changes).toEqual([]);
    decision.pointedAt('backup');
    expect(decision.observe(ALL_DOWN, 5).repoint).toBeNull();
    expect(decision.pointing).toBe('backup');
  });

  it('fails back after recovery threshold', () => {
    const decision = new FailoverDecision(THRESHOLDS, PRIMARIES);
    for (const time of [1, 2, 3]) decision.observe(ALL_DOWN, time);
    decision.pointedAt('backup');
    const oneBack = round({ 'primary-2': false });

    const first = decision.observe(oneBack, 4);
    const second = decision.observe(oneBack, 5);

    expect(first.repoint).toBeNull();
    expect(second.repoint).toBe('primaries');
    expect(second.changes).toEqual([{ node: 'primary-1', health: 'up', consecutive: 2, since: 4 }]);
  });

  it('never fails back when failback is off', () => {
    const decision = new FailoverDecision({ ...THRESHOLDS, failback: false }, PRIMARIES);
    for (const time of [1, 2, 3]) decision.observe(ALL_DOWN, time);
    decision.pointedAt('backup');

    const decisions = [4, 5, 6, 7].map((time) => decision.observe(ALL_UP, time));

    expect(decisions.map((each) => each.repoint)).toEqual([null, null, null, null]);
    expect(decision.healthOf('primary-1')).toBe('up');
  });

  it('cancels failover when a primary recovers first', () => {
    const decision = new FailoverDecision({ ...THRESHOLDS, recoveryThreshold: 1 }, PRIMARIES);
    for (const time of [1, 2, 3]) decision.observe(ALL_DOWN, time);

    const recovered = decision.observe(round({ 'primary-2': false }), 4);

    expect(recovered.repoint).toBeNull();
    expect(decision.pointing).toBe('primaries');
  });

  it('leaves operator repoint alone', () => {
    const decision = new FailoverDecision(THRESHOLDS, PRIMARIES);
    decision.pointedAt('backup');

    const decisions = [1, 2, 3].map((time) => decision.observe(ALL_UP, time));

    expect(decisions.map((each) => each.repoint)).toEqual([null, null, null]);
    expect(decision.pointing).toBe('backup');
  });

  it('rejects result for unwatched node', () => {
    const decision = new FailoverDecision(THRESHOLDS, PRIMARIES);

    expect(() => decision.observe([{ node: 'backup', ok: true }], 1)).toThrow(/backup, which is not a watched primary/);
  });
});

/** A bed that records DNS updates and answers probes from a table the test changes. */
class FakeBed {
  readonly imapHostname = 'imap.mailha.test';
  readonly updates: string[][] = [];
  readonly up = new Map<string, boolean>([['10.0.0.10', true], ['10.0.0.11', true]]);
  failUpdates = 0;

  address(node: NodeName): string {
    return { 'primary-1': '10.0.0.10', 'primary-2': '10.0.0.11', backup: '10.0.0.20', dns: '10.0.0.30' }[node];
  }

  probeAddress(node: NodeName): { host: string; port: number } {
    return { host: this.address(node), port: 143 };
  }

  async updateDns(addresses: readonly string[]): Promise<DnsUpdateOutcome> {
    this.updates.push([...addresses]);
    if (this.failUpdates > 0) {
      this.failUpdates -= 1;
      return { ok: false, addresses: [...addresses], output: 'nsupdate: update failed: SERVFAIL' };
    }
    return { ok: true, addresses: [...addresses], output: '' };
  }

  setSiteA(up: boolean): void {
    this.up.set('10.0.0.10', up);
    this.up.set('10.0.0.11', up);
  }

  readonly probe: Probe = async (target) => (this.up.get(target.host) ? { ok: true } : { ok: false, error: 'connection failed: EHOSTUNREACH' });
}

const CONFIG: FailoverConfig = { mode: 'auto', probeIntervalSeconds: 0.01, probeTimeoutMs: 10, failureThreshold: 2, failback: true, recoveryThreshold: 2 };

function controllerWith(bed: FakeBed, config: FailoverConfig = CONFIG) {
  const history = new HistoryRecorder();
  const controller = new FailoverController({ bed, history, config, log: pino({ level: 'silent' }), probe: bed.probe });
  return { controller, history };
}

describe('FailoverController', () => {
  it('repoints at backup and back', async () => {
    const bed = new FakeBed();
    const { controller, history } = controllerWith(bed);

    bed.setSiteA(false);
    await controller.runRound();
    await controller.runRound();
    bed.setSiteA(true);
    await controller.runRound();
    await controller.runRound();

    expect(bed.updates).toEqual([['10.0.0.20'], ['10.0.0.10', '10.0.0.11']]);
    const dnsEvents = history.entries.filter(isEvent).filter((event) => event.kind === 'dns-update');
    expect(dnsEvents.map((event) => [event.nodes, event.ok, event.detail?.by])).toEqual([
      [['backup'], true, 'controller'],
      [['primary-1', 'primary-2'], true, 'controller'],
    ]);
    const probeEvents = history.entries.filter(isEvent).filter((event) => event.kind === 'controller');
    expect(probeEvents.map((event) => `${event.name} ${event.nodes?.join()}`)).toEqual([
      'probe-failed primary-1',
      'probe-failed primary-2',
      'probe-recovered primary-1',
      'probe-recovered primary-2',
    ]);
  });

  it('retries failed DNS update', async () => {
    const bed = new FakeBed();
    bed.failUpdates = 1;
    const { controller, history } = controllerWith(bed);

    bed.setSiteA(false);
    await controller.runRound();
    await controller.runRound();
    await controller.runRound();

    expect(bed.updates).toEqual([['10.0.0.20'], ['10.0.0.20']]);
    const outcomes = history.entries.filter(isEvent).filter((event) => event.kind === 'dns-update').map((event) => event.ok);
    expect(outcomes).toEqual([false, true]);
    expect(controller.decision.pointing).toBe('backup');
  });

  it('honours operator repoint', async () => {
    const bed = new FakeBed();
    const { controller } = controllerWith(bed);

    controller.noteOperatorRepoint(['backup']);
    await controller.runRound();
    await controller.runRound();

    expect(bed.updates).toEqual([]);
    expect(controller.decision.pointing).toBe('backup');
  });

  it('records start and stop', async () => {
    const bed = new FakeBed();
    const { controller, history } = controllerWith(bed);

    controller.start();
    bed.setSiteA(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await controller.stop();
    const updatesAtStop = bed.updates.length;
    await new Promise((resolve) => setTimeout(resolve, 50));

    const events = history.entries.filter(isEvent).filter((event) => event.kind === 'controller');
    expect(events[0].phase).toBe('start');
    expect(events.at(-1)?.phase).toBe('end');
    expect(events.at(-1)?.detail?.pointing).toBe('backup');
    expect(bed.updates).toEqual([['10.0.0.20']]);
    expect(bed.updates.length).toBe(updatesAtStop);
  });
});
