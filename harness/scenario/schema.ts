/**
 * The scenario model: what a scenario file may contain. It names nodes, sites and steps only,
 * never containers, so the same file can drive the container bed or a future simulator.
 */
import { z } from 'zod';

/** Node names of the fixed HA topology: two primaries at site A, one backup at site B. */
export const NODE_NAMES = ['primary-1', 'primary-2', 'backup', 'dns'] as const;
export const SITE_NAMES = ['site-a', 'site-b', 'site-dns'] as const;
export const TARGET_NAMES = [...NODE_NAMES, ...SITE_NAMES] as const;

/** Checker names a scenario may list; kept here so the scenario model needs no checker code. */
export const CHECK_NAMES = [
  'synced-mail-on-backup',
  'data-loss-window',
  'backup-reads-succeed',
  'backup-writes-refused',
  'failover-time',
  'acknowledged-mail-survives',
  'primary-writes-accepted',
  'clients-recover',
  'backup-consistent',
  'backup-caught-up',
  'replication-lag',
  'uid-identity',
  'errors-by-phase',
  'no-duplicate-mail',
  'backup-audit',
  'primaries-agree',
  'storage-in-sync',
] as const;

/** Verdicts a run can end with; `expectVerdict` names the one a scenario is expected to get. */
export const VERDICTS = ['valid', 'invalid', 'unknown'] as const;

const target = z.enum(TARGET_NAMES, {
  error: (issue) =>
    `unknown node or site ${JSON.stringify(issue.input)}; expected one of ${TARGET_NAMES.join(', ')}`,
});

const positiveSeconds = z.number({ error: 'must be a number of seconds' }).positive('must be greater than 0');

const runStep = z.strictObject({
  action: z.literal('run'),
  seconds: positiveSeconds,
});

const awaitSyncStep = z.strictObject({
  action: z.literal('await-sync'),
  timeoutSeconds: positiveSeconds.default(60),
});

/** A node fault: the nodes of `target` fail together; with `durationSeconds` they recover by themselves. */
function nodeFaultStep<A extends string>(action: A) {
  return z.strictObject({
    action: z.literal(action),
    target,
    durationSeconds: positiveSeconds.optional(),
  });
}

/** A recovery step that undoes a node fault of `target`. */
function recoveryStep<A extends string>(action: A) {
  return z.strictObject({ action: z.literal(action), target });
}

const killStep = nodeFaultStep('kill');
const stopStep = nodeFaultStep('stop');
const pauseStep = nodeFaultStep('pause');
const restartStep = z.strictObject({ action: z.literal('restart'), target });
const startStep = recoveryStep('start');
const resumeStep = recoveryStep('resume');

const primary = z.enum(['primary-1', 'primary-2'], {
  error: (issue) => `unknown primary ${JSON.stringify(issue.input)}; expected primary-1 or primary-2`,
});

/**
 * Modes of the `disk-fail` step. `io-error` makes the backing device itself fail:
 * the bed loads device-mapper's `error` target under DRBD, every read and write returns EIO, and
 * DRBD detaches by its `on-io-error detach` policy. `detach` only runs `drbdadm detach`, the
 * state DRBD ends in, with no I/O error.
 */
export const DISK_FAIL_MODES = ['io-error', 'detach'] as const;
export type DiskFailMode = (typeof DISK_FAIL_MODES)[number];

/**
 * Fails the backing disk under a primary's DRBD device (`topology.storage: drbd` only): DRBD
 * detaches it, and the node keeps serving through its peer's disk. With `durationSeconds` the
 * disk is attached again by itself; otherwise a `disk-repair` step attaches it.
 */
const diskFailStep = z.strictObject({
  action: z.literal('disk-fail'),
  target: primary,
  mode: z
    .enum(DISK_FAIL_MODES, { error: (issue) => `unknown disk-fail mode ${JSON.stringify(issue.input)}; expected ${DISK_FAIL_MODES.join(' or ')}` })
    .default('io-error'),
  durationSeconds: positiveSeconds.optional(),
});
/** Attaches a failed disk again; DRBD resyncs it from the peer. */
const diskRepairStep = z.strictObject({ action: z.literal('disk-repair'), target: primary });

const site = z.enum(SITE_NAMES, {
  error: (issue) => `unknown site ${JSON.stringify(issue.input)}; expected one of ${SITE_NAMES.join(', ')}`,
});
const siteDownStep = z.strictObject({ action: z.literal('site-down'), target: site, durationSeconds: positiveSeconds.optional() });
const siteUpStep = z.strictObject({ action: z.literal('site-up'), target: site });

/** Toxiproxy toxic types, plus `partition`: a link that silently drops everything. */
export const TOXIC_TYPES = ['partition', 'latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

const nonNegative = z.number({ error: 'must be a number' }).int('must be a whole number').nonnegative('must be 0 or more');
const positive = z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be greater than 0');

/** Attributes of each toxic type, in Toxiproxy's units (ms, KB/s, bytes, µs for slicer delay). */
export const TOXIC_ATTRIBUTES = {
  partition: z.strictObject({}),
  latency: z.strictObject({ latency: nonNegative, jitter: nonNegative.default(0) }),
  bandwidth: z.strictObject({ rate: positive }),
  slow_close: z.strictObject({ delay: nonNegative }),
  timeout: z.strictObject({ timeout: nonNegative.default(0) }),
  reset_peer: z.strictObject({ timeout: nonNegative.default(0) }),
  slicer: z.strictObject({ average_size: positive, size_variation: nonNegative.default(0), delay: nonNegative.default(0) }),
  limit_data: z.strictObject({ bytes: positive }),
} satisfies Record<ToxicType, z.ZodType>;

/**
 * Links a network fault can hit: `replication` (primary to backup rsync), `storage` (between
 * the primaries), and client paths `clients->NODE|SITE` or `client-N->NODE|SITE`.
 */
export const LINK_PATTERN = /^(replication|storage|(clients|client-[1-9][0-9]*)->(primary-1|primary-2|backup|site-a|site-b))$/;

const linkFaultStep = z.strictObject({
  action: z.literal('link-fault'),
  /** Names the fault for a later `heal` step; defaults to the step's position. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes').optional(),
  link: z.string().regex(LINK_PATTERN, {
    error: (issue) =>
      `unknown link ${JSON.stringify(issue.input)}; expected replication, storage, clients->NODE or client-N->NODE (NODE: primary-1, primary-2, backup, site-a, site-b)`,
  }),
  toxic: z.enum(TOXIC_TYPES, { error: (issue) => `unknown toxic type ${JSON.stringify(issue.input)}; expected one of ${TOXIC_TYPES.join(', ')}` }),
  direction: z.enum(['upstream', 'downstream', 'both']).default('both'),
  toxicity: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(1),
  attributes: z.record(z.string(), z.unknown()).default({}),
  durationSeconds: positiveSeconds.optional(),
});

const healStep = z.strictObject({
  action: z.literal('heal'),
  /** The link fault to heal; every active link fault when omitted. */
  id: z.string().optional(),
});

const dnsRepointStep = z.strictObject({
  action: z.literal('dns-repoint'),
  target,
});

const awaitClientsStep = z.strictObject({
  action: z.literal('await-clients'),
  target,
  timeoutSeconds: positiveSeconds.default(60),
});

const observeStep = z.strictObject({
  action: z.literal('observe'),
  target,
  label: z.string().min(1, 'must not be empty'),
});

/**
 * Runs the read-only audit (harness/audit/) against the backup: the reading routine with its
 * side effects on disk, every command, and the owner's escalation attempt. The escalation can
 * leave the backup writable until the next sync puts read-only mode back.
 */
const auditReadOnlyStep = z.strictObject({
  action: z.literal('audit-readonly'),
  accounts: z.number().int().min(1).max(50).default(1),
});

const STEP_ACTIONS =
  'run, await-sync, kill, stop, pause, restart, start, resume, site-down, site-up, link-fault, heal, disk-fail, disk-repair, dns-repoint, await-clients, observe, audit-readonly';

export const stepSchema = z.discriminatedUnion(
  'action',
  [
    runStep,
    awaitSyncStep,
    killStep,
    stopStep,
    pauseStep,
    restartStep,
    startStep,
    resumeStep,
    siteDownStep,
    siteUpStep,
    linkFaultStep,
    healStep,
    diskFailStep,
    diskRepairStep,
    dnsRepointStep,
    awaitClientsStep,
    observeStep,
    auditReadOnlyStep,
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' && (issue.input as { action?: unknown } | undefined)?.action === undefined
        ? `missing action; expected one of ${STEP_ACTIONS}`
        : issue.code === 'invalid_union'
        ? `unknown action ${JSON.stringify((issue.input as { action?: unknown } | undefined)?.action)}; ` +
          `expected one of ${STEP_ACTIONS}`
        : undefined,
  },
);

const weight = z.number().int('must be a whole number').nonnegative('must be 0 or more');

/**
 * DNS failover mode and the controller's probe settings. `manual` leaves failover to
 * `dns-repoint` steps. `auto` runs the failover controller, which probes each primary's IMAP
 * greeting every `probeIntervalSeconds`. It points the IMAP record at the backup once every
 * primary has failed `failureThreshold` probes in a row. With `failback`, it points the record
 * back at the primaries once one of them has passed `recoveryThreshold` probes in a row. The
 * probe fields apply in `auto` mode only.
 */
const failoverSchema = z
  .strictObject({
    mode: z.enum(['manual', 'auto'], { error: (issue) => `unknown failover mode ${JSON.stringify(issue.input)}; expected manual or auto` }).default('manual'),
    probeIntervalSeconds: positiveSeconds.default(1),
    probeTimeoutMs: positive.default(1000),
    failureThreshold: positive.default(3),
    failback: z.boolean({ error: 'must be true or false' }).default(false),
    recoveryThreshold: positive.default(3),
  })
  .superRefine((failover, context) => {
    // Probes of one round run in parallel and the next round waits for the interval, so a probe
    // that outlives the interval would delay every later round.
    if (failover.probeTimeoutMs > failover.probeIntervalSeconds * 1000) {
      context.addIssue({
        code: 'custom',
        path: ['probeTimeoutMs'],
        message: `must be at most probeIntervalSeconds (${failover.probeIntervalSeconds * 1000} ms), got ${failover.probeTimeoutMs}`,
      });
    }
  })
  .prefault({});

/**
 * How the backup is made read-only for clients (docs/read-only.md compares them):
 * - `acl`: every folder's ACL gives the owner `alr`, the tightest entry Courier accepts;
 * - `acl-locked`: those ACLs, and the store's files and folder directories made read-only to
 *   the IMAP user, so that it cannot rewrite its ACL files (only each folder's `tmp/` stays writable);
 * - `locked`: the read-only files and directories without the ACLs;
 * - `read-only-mount`: the backup's imapd reads the store through a read-only mount;
 * - `none`: the backup is writable, as a control.
 */
export const READ_ONLY_MODES = ['acl', 'acl-locked', 'locked', 'read-only-mount', 'none'] as const;
export type ReadOnlyMode = (typeof READ_ONLY_MODES)[number];

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  question: z.string().min(10, 'must state the question the scenario answers'),
  seed: z.number().int().nonnegative().default(1),
  topology: z
    .strictObject({
      zone: z.string().regex(/^[a-z0-9.-]+$/, 'must be a DNS zone name').default('mailha.test'),
      recordTtlSeconds: z.number().int().positive().max(86400).default(5),
      accounts: z.number().int().min(1).max(50).default(3),
      seedMessagesPerFolder: z.number().int().min(0).max(200).default(3),
      /**
       * Site A's mail store: one Docker volume mounted by both primaries (`shared-volume`, a
       * stand-in), or real DRBD in dual-primary mode with OCFS2 under two UML nodes (`drbd`).
       */
      storage: z.enum(['shared-volume', 'drbd']).default('shared-volume'),
      sync: z
        .strictObject({
          enabled: z.boolean().default(true),
          intervalSeconds: positiveSeconds.default(5),
        })
        .prefault({}),
      backup: z
        .strictObject({
          readOnly: z.enum(READ_ONLY_MODES).default('acl'),
        })
        .prefault({}),
      failover: failoverSchema,
    })
    .prefault({}),
  workload: z
    .strictObject({
      clients: z.number().int().min(1).max(64).default(4),
      thinkTimeMs: z.number().int().nonnegative().default(150),
      operationTimeoutMs: z.number().int().positive().default(8000),
      mix: z
        .strictObject({
          append: weight.default(4),
          fetch: weight.default(3),
          search: weight.default(2),
          store: weight.default(2),
          expunge: weight.default(1),
          create: weight.default(1),
        })
        .prefault({}),
    })
    .prefault({}),
  /**
   * The verdict this scenario is expected to get: `invalid` marks a known weakness of the design.
   * The exit code of `mailha run` ignores it; tests and `mailha list` read it.
   */
  expectVerdict: z.enum(VERDICTS, { error: (issue) => `unknown verdict ${JSON.stringify(issue.input)}; expected one of ${VERDICTS.join(', ')}` }).default('valid'),
  steps: z.array(stepSchema).min(1, 'must list at least one step'),
  expect: z
    .strictObject({
      maxFailoverSeconds: positiveSeconds.optional(),
      maxDataLossMessages: z.number().int().nonnegative().optional(),
      maxReplicationLagSeconds: positiveSeconds.optional(),
    })
    .prefault({}),
  /** Checkers to run, by name; the failover set when omitted. The healing check always runs. */
  checks: z.array(z.enum(CHECK_NAMES, { error: (issue) => `unknown check ${JSON.stringify(issue.input)}; expected one of ${CHECK_NAMES.join(', ')}` })).min(1).optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Step = z.infer<typeof stepSchema>;
export type LinkFaultStep = z.infer<typeof linkFaultStep>;
export type FailoverConfig = z.infer<typeof failoverSchema>;
export type TargetName = (typeof TARGET_NAMES)[number];
export type NodeName = (typeof NODE_NAMES)[number];
