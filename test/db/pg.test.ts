import { Client } from '../../src/db/pg';

/** What src/db/pg.ts wraps: the SCRAM helper of node-postgres. */
const scram = require('pg/lib/crypto/utils') as { deriveKey(password: string, salt: Uint8Array, iterations: number): Promise<ArrayBuffer> };

describe('node-postgres as dbops loads it', () => {
  it('leaves no navigator global behind (it lends one only while pg loads)', () => {
    expect(typeof Client).toBe('function');
    expect((globalThis as { navigator?: unknown }).navigator).toBeUndefined();
  });

  it('derives a SCRAM salted password once per password, salt and round count, shared by concurrent connections', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const first = scram.deriveKey('secret', salt, 4096);
    const concurrent = scram.deriveKey('secret', Buffer.from(salt), 4096);
    expect(concurrent).toBe(first);
    expect(Buffer.from(await first)).toEqual(Buffer.from(await concurrent));
    for (const other of [scram.deriveKey('other', salt, 4096), scram.deriveKey('secret', Buffer.from('fedcba9876543210'), 4096), scram.deriveKey('secret', salt, 4097)]) {
      expect(other).not.toBe(first);
      expect(Buffer.from(await other)).not.toEqual(Buffer.from(await first));
    }
  });
});
