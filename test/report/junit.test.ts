import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../harness/report/junit.js';
import { emptyInput, fixtureInput, HOSTILE_TEXT, runResult } from './inputs.js';

/** A leaf element as fast-xml-parser returns it: attributes by name, text under `#text`. */
type Leaf = Record<string, string | undefined>;

interface ParsedTestcase {
  name: string;
  classname: string;
  failure?: Leaf;
  error?: Leaf;
}

type ParsedTestsuite = Record<string, string> & { testcase: ParsedTestcase[] };

interface Document {
  testsuites: Record<string, string> & { testsuite: ParsedTestsuite[] };
}

/** Parses JUnit XML after checking it is well-formed; attributes keep their names. */
function parse(xml: string): Document {
  const valid = XMLValidator.validate(xml);
  expect(valid, JSON.stringify(valid)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    htmlEntities: true,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  return parser.parse(xml) as Document;
}

describe('renderJunit', () => {
  it('maps verdicts to testcases', () => {
    const document = parse(renderJunit([runResult()]));
    const [suite] = document.testsuites.testsuite;

    expect(suite.name).toBe('synthetic-failover');
    expect(suite.tests).toBe('3');
    expect(suite.failures).toBe('1');
    expect(suite.errors).toBe('1');
    expect(suite.skipped).toBe('0');
    expect(suite.testcase.map((testcase) => testcase.name)).toEqual(['acknowledged-mail-survives', 'failover-time', 'backup-reads-succeed']);
    expect(suite.testcase.every((testcase) => testcase.classname === 'synthetic-failover')).toBe(true);
  });

  it('puts invalid into failure', () => {
    const [suite] = parse(renderJunit([runResult()])).testsuites.testsuite;
    const invalid = suite.testcase[1];

    expect(invalid.failure?.message).toBe('client-2 never read from the backup <in time>.');
    expect(invalid.failure?.type).toBe('invalid');
    expect(JSON.parse(invalid.failure?.['#text'] ?? '')).toEqual({ stuck: ['client-2'], note: HOSTILE_TEXT });
    expect(invalid.error).toBeUndefined();
  });

  it('puts unknown into error', () => {
    const [suite] = parse(renderJunit([runResult()])).testsuites.testsuite;
    const unknown = suite.testcase[2];

    expect(unknown.error?.message).toBe('No client read from the backup.');
    expect(unknown.error?.type).toBe('unknown');
    expect(unknown.failure).toBeUndefined();
  });

  it('adds run testcase for failed run', () => {
    const [suite] = parse(renderJunit([emptyInput().result])).testsuites.testsuite;

    expect(suite.tests).toBe('1');
    expect(suite.errors).toBe('1');
    expect(suite.failures).toBe('0');
    expect(suite.testcase).toHaveLength(1);
    expect(suite.testcase[0].name).toBe('run');
    expect(suite.testcase[0].error?.message).toBe('Failed to start node dns: log stream ended <early>');
  });

  it('sums counts over runs', () => {
    const document = parse(renderJunit([runResult(), emptyInput().result, runResult({ scenario: 'other', checks: [] })]));

    expect(document.testsuites.testsuite).toHaveLength(3);
    expect(document.testsuites.tests).toBe('4');
    expect(document.testsuites.failures).toBe('1');
    expect(document.testsuites.errors).toBe('2');
    expect(document.testsuites.time).toBe('28.500');
  });

  it('escapes markup, quotes and control characters', () => {
    const summary = 'a < b & c > "d" \'e\'\nsecond line\u0001\uD800';
    const result = runResult({ checks: [{ name: 'odd <name>', verdict: 'invalid', summary, evidence: { raw: '\u0000]]>' } }] });
    const [suite] = parse(renderJunit([result])).testsuites.testsuite;
    const [testcase] = suite.testcase;

    expect(testcase.name).toBe('odd <name>');
    expect(testcase.failure?.message).toBe('a < b & c > "d" \'e\'\nsecond line\uFFFD\uFFFD');
    expect(JSON.parse(testcase.failure?.['#text'] ?? '')).toEqual({ raw: '\u0000]]>' });
  });

  it('keeps run facts as properties', () => {
    const xml = renderJunit([runResult()]);

    expect(xml).toContain('<property name="runId" value="mailha-20260101t000000z-test"/>');
    expect(xml).toContain('<property name="seed" value="7"/>');
    expect(xml).toContain('timestamp="2026-01-01T00:00:00"');
  });

  it('renders the real-run fixture', async () => {
    const { result } = await fixtureInput();
    const [suite] = parse(renderJunit([result])).testsuites.testsuite;

    expect(suite.name).toBe(result.scenario);
    expect(Number(suite.tests)).toBe(result.checks.length);
    expect(Number(suite.failures)).toBe(result.checks.filter((check) => check.verdict === 'invalid').length);
    expect(suite.testcase.map((testcase) => testcase.name)).toEqual(result.checks.map((check) => check.name));
  });

  it('renders no runs', () => {
    const document = parse(renderJunit([]));

    expect(document.testsuites.tests).toBe('0');
  });
});
