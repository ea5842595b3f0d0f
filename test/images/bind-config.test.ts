import { describe, expect, it } from 'vitest';
import { generateTsigSecret, renderBindConfig, renderTsigKeyFile } from '../../harness/images/bind-config.js';

const input = {
  zone: 'mailha.test',
  ttl: 5,
  records: { imap: ['10.0.0.1', '10.0.0.2'] },
  tsigKeyName: 'mailha-update',
  tsigSecret: Buffer.alloc(32, 1).toString('base64'),
};

describe('renderBindConfig', () => {
  const files = renderBindConfig(input);

  it('puts the zone file under /var/lib/bind', () => {
    expect(files.zoneFilePath).toBe('/var/lib/bind/db.mailha.test');
    expect(files.namedConf).toContain(`file "${files.zoneFilePath}";`);
  });

  it('is authoritative only', () => {
    expect(files.namedConf).toContain('recursion no;');
    expect(files.namedConf).toContain('listen-on-v6 { none; };');
  });

  it('allows updates only with the key', () => {
    expect(files.namedConf).toContain('allow-update { key "mailha-update"; };');
    expect(files.namedConf).toContain('include "/etc/mailha/tsig.key";');
  });

  it('writes one A record per address', () => {
    expect(files.zoneFile).toContain('imap 5 IN A 10.0.0.1\n');
    expect(files.zoneFile).toContain('imap 5 IN A 10.0.0.2\n');
    expect(files.zoneFile).toMatch(/^\$ORIGIN mailha\.test\.$/m);
  });

  it('rejects an invalid address', () => {
    expect(() => renderBindConfig({ ...input, records: { imap: ['10.0.0.256'] } })).toThrow('Invalid address "10.0.0.256"');
  });

  it('rejects an invalid record name', () => {
    expect(() => renderBindConfig({ ...input, records: { 'bad name': ['10.0.0.1'] } })).toThrow('Invalid record name "bad name"');
  });

  it('rejects a fractional TTL', () => {
    expect(() => renderBindConfig({ ...input, ttl: 1.5 })).toThrow('Invalid TTL 1.5');
  });
});

describe('TSIG key', () => {
  it('generates 32 random bytes', () => {
    const secret = generateTsigSecret();
    expect(Buffer.from(secret, 'base64')).toHaveLength(32);
    expect(generateTsigSecret()).not.toBe(secret);
  });

  it('renders the key statement', () => {
    expect(renderTsigKeyFile('k1', 'c2VjcmV0')).toBe('key "k1" {\n  algorithm hmac-sha256;\n  secret "c2VjcmV0";\n};\n');
  });

  it('rejects a name with quotes', () => {
    expect(() => renderTsigKeyFile('k"1', 'c2VjcmV0')).toThrow('Invalid TSIG key name');
  });
});
