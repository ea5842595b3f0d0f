/**
 * Container settings of each read-only mode of the backup: the commands run after every
 * sync, and how the mail store is mounted. The scripts live in the courier image
 * (`images/courier/rootfs/usr/local/sbin/`).
 */
import type { ReadOnlyMode } from '../../scenario/schema.js';

const ACL = ['/usr/local/sbin/mailha-readonly-acl'];
const LOCK = ['/usr/local/sbin/mailha-readonly-lock'];
const UNLOCK = ['/usr/local/sbin/mailha-readonly-lock', '--unlock'];

/**
 * Commands, in order, that put the backup's live store back into read-only mode after a sync.
 * maildiracl runs as the mail user, so a locked store is unlocked before the ACLs are set.
 */
export function readOnlyCommands(mode: ReadOnlyMode): string[][] {
  switch (mode) {
    case 'acl':
      return [ACL];
    case 'acl-locked':
      return [UNLOCK, ACL, LOCK];
    case 'locked':
      return [LOCK];
    case 'read-only-mount':
    case 'none':
      return [];
  }
}

/** Mount points of the backup's store, and the path its tools write to. */
export interface StoreMounts {
  mounts: Array<{ target: string; mode: 'rw' | 'ro' }>;
  /** Environment for the container: `MAILHA_STORE` names the writable path when it is not `/srv/mail`. */
  environment: Record<string, string>;
}

/** imapd always serves `/srv/mail`; in `read-only-mount` mode that mount is read-only and the sync writes through `/srv/store`. */
export function backupStoreMounts(mode: ReadOnlyMode): StoreMounts {
  if (mode === 'read-only-mount') {
    return {
      mounts: [
        { target: '/srv/store', mode: 'rw' },
        { target: '/srv/mail', mode: 'ro' },
      ],
      environment: { MAILHA_STORE: '/srv/store' },
    };
  }
  return { mounts: [{ target: '/srv/mail', mode: 'rw' }], environment: {} };
}
