/** The controller's health probe: a TCP connection that must deliver an IMAP `* OK` greeting in time. */
import { connect } from 'node:net';

export interface ProbeOutcome {
  ok: boolean;
  /** Why the probe failed: timed out, refused, closed, or a greeting other than `* OK`. */
  error?: string;
}

/**
 * Connects to `target`, reads the first line and closes. Passes only when the line starts with
 * `* OK` within `timeoutMs` of the start, counting the connection setup. Every network failure
 * resolves as a failed probe.
 */
export function probeImapGreeting(target: { host: string; port: number }, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    let received = '';
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `no IMAP greeting within ${timeoutMs} ms` }), timeoutMs);
    socket.on('data', (data) => {
      received += data.toString('latin1');
      const end = received.indexOf('\n');
      if (end === -1 && received.length < 512) return;
      const line = (end === -1 ? received : received.slice(0, end)).trimEnd();
      finish(line.startsWith('* OK') ? { ok: true } : { ok: false, error: `unexpected greeting ${JSON.stringify(line.slice(0, 120))}` });
    });
    socket.once('error', (error) => finish({ ok: false, error: `connection failed: ${(error as NodeJS.ErrnoException).code ?? error.message}` }));
    socket.once('close', () => finish({ ok: false, error: 'connection closed before a greeting' }));
  });
}
