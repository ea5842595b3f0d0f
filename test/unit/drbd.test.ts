import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderClusterConf, renderDrbdResource } from '../../harness/bed/drbd/config.js';
import { formatDrbdState, parseProcDrbd } from '../../harness/bed/drbd/status.js';

const MEMBERS = [
  { name: 'primary-1', address: '10.213.7.10' },
  { name: 'primary-2', address: '10.213.7.11' },
] as const;

describe('DRBD resource file', () => {
  const text = renderDrbdResource(MEMBERS);

  it('uses protocol C with two primaries', () => {
    expect(text).toMatch(/^\s*protocol C;$/m);
    expect(text).toMatch(/^\s*allow-two-primaries yes;$/m);
  });

  it('names each node with its address', () => {
    expect(text).toContain('on primary-1 {\n    address 10.213.7.10:7789;\n  }');
    expect(text).toContain('on primary-2 {\n    address 10.213.7.11:7789;\n  }');
  });

  it('never discards a primary that wrote', () => {
    expect(text).toMatch(/after-sb-2pri disconnect;/);
  });

  it('sits on the device-mapper backing device', () => {
    expect(text).toMatch(/^\s*disk \/dev\/mapper\/mailha-backing;$/m);
  });

  it('detaches a disk on an I/O error', () => {
    expect(text).toMatch(/disk \{[^}]*on-io-error detach;[^}]*\}/);
  });

  it('balances its braces', () => {
    expect(text.split('{').length).toBe(text.split('}').length);
  });
});

describe('o2cb cluster.conf', () => {
  const text = renderClusterConf(MEMBERS);

  it('declares two nodes with local heartbeat', () => {
    expect(text).toMatch(/^cluster:\n\tnode_count = 2\n\theartbeat_mode = local\n\tname = mailha\n/);
  });

  it('numbers nodes from zero with tab-indented attributes', () => {
    expect(text).toContain('node:\n\tip_port = 7777\n\tip_address = 10.213.7.10\n\tnumber = 0\n\tname = primary-1\n\tcluster = mailha\n');
    expect(text).toContain('\tnumber = 1\n\tname = primary-2\n');
  });
});

describe('parseProcDrbd', () => {
  const header = 'version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 059B1B470318F053F5077D5 \n';

  it('reads a connected dual-primary pair', () => {
    const state = parseProcDrbd(
      `${header} 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n    ns:282217 nr:251 dw:282469 dr:263774 al:50 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n`,
    );
    expect(state).toEqual({ connection: 'Connected', role: 'Primary', peerRole: 'Primary', disk: 'UpToDate', peerDisk: 'UpToDate', outOfSyncKiB: 0 });
  });

  it('reads a sync target with blocks out of sync', () => {
    const state = parseProcDrbd(
      `${header} 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n    ns:0 nr:26880 dw:25724 dr:0 al:8 bm:0 lo:20 pe:45 ua:19 ap:0 ep:1 wo:f oos:236376\n\t[=>..................] sync'ed: 11.0% (236376/262100)K\n`,
    );
    expect(state.connection).toBe('SyncTarget');
    expect(state.disk).toBe('Inconsistent');
    expect(state.outOfSyncKiB).toBe(236376);
  });

  it('reads a lost peer', () => {
    const state = parseProcDrbd(`${header} 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n    ns:0 nr:0 dw:8 dr:0 al:1 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:8\n`);
    expect(formatDrbdState(state)).toBe('WFConnection Primary/Unknown UpToDate/DUnknown');
  });

  it('reads an unconfigured minor', () => {
    expect(parseProcDrbd(`${header} 0: cs:Unconfigured\n`)).toMatchObject({ connection: 'Unconfigured', role: null, disk: null });
  });

  it('reads a missing minor as unconfigured', () => {
    expect(parseProcDrbd(header).connection).toBe('Unconfigured');
  });
});

describe('uml-node scripts shared with the courier image', () => {
  it.each([
    ['courier-start', 'mailha-courier-start'],
    ['sync-push', 'mailha-sync-push'],
  ])('%s equals the courier image copy', async (guestName, courierName) => {
    const guest = await readFile(`images/uml-node/rootfs/opt/mailha-node/${guestName}`);
    const courier = await readFile(`images/courier/rootfs/usr/local/sbin/${courierName}`);
    expect(guest.equals(courier), `images/uml-node/rootfs/opt/mailha-node/${guestName} differs from images/courier/rootfs/usr/local/sbin/${courierName}; copy it again`).toBe(true);
  });
});

describe('DRBD resource file with a proxy', () => {
  it('dials the peer at the given address and binds to its own', () => {
    const text = renderDrbdResource(MEMBERS, { 'primary-2': '10.213.7.5:7789' });
    expect(text).toContain('on primary-1 {\n    address 10.213.7.10:7789;\n  }');
    expect(text).toContain('on primary-2 {\n    address 10.213.7.5:7789;\n  }');
  });
});

describe('DRBD resource file with fencing', () => {
  const text = renderDrbdResource(MEMBERS, {}, '/mailha/fence-peer 3');

  it('freezes IO and calls the handler', () => {
    expect(text).toMatch(/disk \{[^}]*fencing resource-and-stonith;[^}]*\}/);
    expect(text).toContain('handlers {\n    fence-peer "/mailha/fence-peer 3";\n  }');
  });

  it('has no fencing without a handler', () => {
    expect(renderDrbdResource(MEMBERS)).not.toMatch(/fencing|handlers/);
  });

  it('rejects a handler with a double quote', () => {
    expect(() => renderDrbdResource(MEMBERS, {}, 'echo "x"')).toThrow(/double quote/);
  });
});
