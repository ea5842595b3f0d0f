/**
 * The routine of mbsync (Debian's isync): a pull of each folder into a local Maildir, then each
 * local change on its own, pushed back. Every write starts from a copy of the pulled Maildir and
 * sync state, so a change the server refused is not sent again with the next one.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { CommandKind } from '../audit/classify.js';
import { boxName, CHANNEL, maildirOf, renderMbsyncConfig } from './mbsync-config.js';
import { describeRun, parseMbsyncOutput, parseMbsyncVersion } from './mbsync-output.js';
import { judgeStep, type ClientReport, type ClientRoutine, type ClientStep, type ClientTarget } from './routine.js';
import { ServerState } from './server-state.js';

const RUN_TIMEOUT_MS = 120_000;
// Named for the client, so a folder that another routine created on the same account is not mistaken for this one's.
const CREATED_BOX = 'mailha-mbsync';

interface MbsyncRun {
  exitCode: number;
  /** False when mbsync exited non-zero, timed out or printed an error line. */
  succeeded: boolean;
  detail: string;
}

/** Messages in a Maildir, counted from `cur/` and `new/`. */
async function countMessages(maildir: string): Promise<number> {
  let count = 0;
  for (const sub of ['cur', 'new']) count += (await readdir(join(maildir, sub)).catch(() => [])).length;
  return count;
}

/** Message files of a Maildir as paths relative to it (`cur/...`, `new/...`), sorted by name. */
async function messageFiles(maildir: string): Promise<string[]> {
  const files: string[] = [];
  for (const sub of ['cur', 'new']) {
    for (const name of await readdir(join(maildir, sub)).catch(() => [] as string[])) files.push(join(sub, name));
  }
  return files.sort((a, b) => basename(a).localeCompare(basename(b)));
}

/** Reads the Maildir flags from a file name: the letters after `:2,`, empty for a file in `new/`. */
function maildirFlags(file: string): string {
  return basename(file).split(':2,')[1] ?? '';
}

/**
 * Toggles the seen flag (`S`) of one message, preferring a message without it, by renaming its
 * file into `cur/` as a mail reader does. Returns the flag change, for the step's detail.
 */
async function toggleSeen(maildir: string): Promise<string> {
  const files = await messageFiles(maildir);
  const file = files.find((name) => !maildirFlags(name).includes('S')) ?? files[0];
  if (!file) throw new Error(`no pulled message in ${maildir} to mark seen`);
  const flags = maildirFlags(file);
  const seen = flags.includes('S');
  const toggled = seen ? flags.replace('S', '') : [...flags, 'S'].sort().join('');
  await rename(join(maildir, file), join(maildir, 'cur', `${basename(file).split(':2,')[0]}:2,${toggled}`));
  return seen ? 'removed \\Seen' : 'added \\Seen';
}

function localMessage(): string {
  const id = `<mbsync.${randomBytes(6).toString('hex')}@mailha.test>`;
  return [`From: client@mailha.test`, `To: owner@mailha.test`, 'Subject: mailha mbsync routine', `Message-ID: ${id}`, `Date: ${new Date().toUTCString()}`, '', 'Added to the local Maildir by the mbsync routine.', ''].join('\r\n');
}

function maildirFileName(): string {
  return `${Math.floor(Date.now() / 1000)}.mailha${randomBytes(4).toString('hex')}.local`;
}

export class MbsyncRoutine implements ClientRoutine {
  readonly name = 'mbsync';

  async run(target: ClientTarget, workDir: string): Promise<ClientReport> {
    const version = await this.version();
    const state = await ServerState.open(target);
    const steps: ClientStep[] = [];
    try {
      const pulled = join(workDir, 'pulled');
      await this.prepare(target, pulled);
      for (const folder of target.folders) steps.push(await this.pull(target, pulled, folder, state));
      // Each write changes a pulled message of INBOX; without one there is nothing to push.
      const inboxPull = steps.find((step) => step.folder === 'INBOX');
      if (inboxPull?.outcome !== 'read-ok') return { client: this.name, version, account: target.login, steps };

      const inbox = 'INBOX';
      const inboxState = () => state.folder(inbox);
      steps.push(
        await this.write(target, workDir, pulled, 'push \\Seen flag', inbox, [`${CHANNEL}:INBOX`], inboxState, (root) => toggleSeen(maildirOf(root, 'INBOX'))),
      );
      steps.push(
        await this.write(target, workDir, pulled, 'push new message', inbox, [`${CHANNEL}:INBOX`], inboxState, async (root) => {
          await writeFile(join(maildirOf(root, 'INBOX'), 'new', maildirFileName()), localMessage());
        }),
      );
      // isync 1.4.4 sends UID STORE +FLAGS.SILENT (\Deleted) and then CLOSE, not EXPUNGE (seen with
      // mbsync -Dn), and Courier 5.0.13 replies OK to both without the `e` right while expunging nothing.
      steps.push(
        await this.write(target, workDir, pulled, 'push deletion and expunge', inbox, ['--expunge-far', `${CHANNEL}:INBOX`], inboxState, async (root) => {
          const maildir = maildirOf(root, 'INBOX');
          const [file] = await messageFiles(maildir);
          if (!file) throw new Error(`no pulled message in ${maildir} to delete`);
          await unlink(join(maildir, file));
        }),
      );
      steps.push(
        await this.write(target, workDir, pulled, 'push new folder', `INBOX.${CREATED_BOX}`, ['--create-far', `${CHANNEL}:${CREATED_BOX}`], () => state.folders(), async (root) => {
          const maildir = maildirOf(root, CREATED_BOX);
          for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
          await writeFile(join(maildir, 'new', maildirFileName()), localMessage());
        }),
      );
    } finally {
      await state.close();
    }
    return { client: this.name, version, account: target.login, steps };
  }

  private async version(): Promise<string> {
    const result = await execa('mbsync', ['--version'], { reject: false, all: true });
    if (result.failed && (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error('mbsync not found on PATH: install Debian\'s isync package (apt-get install -y isync)');
    }
    return parseMbsyncVersion(result.all ?? '');
  }

  private async prepare(target: ClientTarget, root: string): Promise<void> {
    await mkdir(join(root, 'mail'), { recursive: true });
    await mkdir(join(root, 'state'), { recursive: true });
    await writeFile(join(root, 'mbsyncrc'), renderMbsyncConfig(target, root), { mode: 0o600 });
  }

  private async mbsync(root: string, args: string[]): Promise<MbsyncRun> {
    const result = await execa('mbsync', ['-c', join(root, 'mbsyncrc'), ...args], { reject: false, all: true, timeout: RUN_TIMEOUT_MS });
    const exitCode = result.exitCode ?? -1;
    const output = parseMbsyncOutput(result.all ?? '');
    const detail = describeRun(exitCode, output);
    await writeFile(join(root, `mbsync-${args.join('-').replace(/[^a-z0-9-]+/gi, '_')}.log`), result.all ?? '');
    // isync 1.4.4 exits 0 after a refused APPEND and prints the NO reply, so an error line also counts as failure.
    const succeeded = exitCode === 0 && !result.timedOut && output.errors.length === 0;
    return { exitCode, succeeded, detail: result.timedOut ? `timed out after ${RUN_TIMEOUT_MS} ms; ${detail}` : detail };
  }

  /** A pull of one folder: a read that succeeds when mbsync exits 0 and the Maildir contains every message. */
  private async pull(target: ClientTarget, root: string, folder: string, state: ServerState): Promise<ClientStep> {
    const box = boxName(folder);
    const run = await this.mbsync(root, ['--pull', '--create-near', `${CHANNEL}:${box}`]);
    const server = await state.folder(folder);
    const expected = 'exists' in server ? server.exists : -1;
    const local = await countMessages(maildirOf(root, box));
    const succeeded = run.succeeded && local === expected;
    return { kind: 'read', operation: 'pull', folder, outcome: judgeStep('read', succeeded, undefined, undefined), detail: `${run.detail}; ${local} of ${expected} messages in the local Maildir` };
  }

  /**
   * One local change on a fresh copy of the pulled Maildir and sync state, then a push. The
   * write is judged by `observe`, read by the independent session before the change and after
   * the push.
   */
  private async write(
    target: ClientTarget,
    workDir: string,
    pulled: string,
    operation: string,
    folder: string,
    args: string[],
    observe: () => Promise<unknown>,
    change: (root: string) => Promise<string | void>,
  ): Promise<ClientStep> {
    const root = join(workDir, operation.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, ''));
    await cp(pulled, root, { recursive: true });
    await writeFile(join(root, 'mbsyncrc'), renderMbsyncConfig(target, root), { mode: 0o600 });
    const kind: CommandKind = 'write';
    const before = await observe();
    const note = await change(root);
    const run = await this.mbsync(root, ['--push', ...args]);
    const after = await observe();
    return { kind, operation, folder, outcome: judgeStep(kind, run.succeeded, before, after), detail: note ? `${note}; ${run.detail}` : run.detail };
  }
}
