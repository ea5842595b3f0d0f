/** Fills every account with its folders and real corpus mail through IMAP, recording each append. */
import { ImapFlow } from 'imapflow';
import type { HistoryRecorder } from '../history/recorder.js';
import { ACCOUNT_FOLDERS, type Account } from './client.js';
import { composeMessage } from './corpus.js';
import type { SeededRandom } from './random.js';

export interface SeedOptions {
  address: string;
  node: string;
  accounts: readonly Account[];
  messagesPerFolder: number;
  history: HistoryRecorder;
  random: SeededRandom;
  runId: string;
  messageIdDomain: string;
}

/**
 * Creates the folders and appends `messagesPerFolder` messages to each, as process `seed`.
 * Throws on the first failure, naming the account, folder and server reply: a bed that cannot
 * be seeded cannot be tested.
 */
export async function seedAccounts(options: SeedOptions): Promise<number> {
  let appended = 0;
  for (const account of options.accounts) {
    const imap = new ImapFlow({
      host: options.address,
      port: 143,
      secure: false,
      doSTARTTLS: false,
      auth: { user: account.login, pass: account.password },
      logger: false,
      disableAutoIdle: true,
    });
    imap.on('error', () => {});
    await imap.connect();
    try {
      for (const folder of ACCOUNT_FOLDERS.filter((name) => name !== 'INBOX')) {
        await imap.mailboxCreate(folder).catch((error: { serverResponseCode?: string; responseText?: string }) => {
          if (!/exists/i.test(`${error.serverResponseCode} ${error.responseText}`)) throw error;
        });
      }
      for (const folder of ACCOUNT_FOLDERS) {
        for (let n = 1; n <= options.messagesPerFolder; n += 1) {
          const messageId = `<${options.runId}.seed.${account.login}.${folder}.${n}@${options.messageIdDomain}>`;
          const message = composeMessage(options.random, messageId);
          const invoke = options.history.invoke({
            process: 'seed',
            f: 'append',
            node: options.node,
            address: options.address,
            account: account.login,
            folder,
            value: { messageId, hash: message.hash, corpusEntry: message.source, bytes: message.raw.length },
          });
          try {
            const result = await imap.append(folder, message.raw);
            if (!result) throw new Error('APPEND returned no result');
            options.history.complete(invoke, 'ok', {
              value: { uid: result.uid ?? null, uidValidity: result.uidValidity === undefined ? null : Number(result.uidValidity) },
            });
            appended += 1;
          } catch (error) {
            options.history.complete(invoke, 'fail', { error: (error as Error).message });
            throw new Error(
              `Seeding failed: APPEND to ${folder} of ${account.login} on ${options.address}: ${(error as { responseText?: string }).responseText ?? (error as Error).message}`,
              { cause: error },
            );
          }
        }
      }
    } finally {
      await imap.logout().catch(() => imap.close());
    }
  }
  return appended;
}
