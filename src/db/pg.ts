/**
 * node-postgres as every module of dbops gets it: import `Client` and the escaping helpers from
 * here, never from 'pg' directly, so the two start-up costs below are paid (or avoided) once.
 *
 * 1. Loading pg asks "is this a Cloudflare Worker?": without a `navigator` global (Node 20 has
 *    none, Node 21+ does) it constructs a `Response`, which loads Node's bundled undici — 40–70 ms
 *    of a `report lag` over fifty nodes, for an answer that is always no here. A `navigator`
 *    shaped like Node 21's is present only while pg loads, and removed again.
 * 2. SCRAM-SHA-256 makes the client run PBKDF2 (4096 rounds by default) on every connection.
 *    The result depends only on the password, the salt and the round count, and every physical
 *    replica of a cluster carries the primary's pg_authid, hence the same salt: fifty nodes cost
 *    one derivation instead of fifty (~1.5 ms of CPU each, and the reports are CPU-bound on a
 *    busy machine). Concurrent connections share the pending derivation.
 */
type PgModule = typeof import('pg');

function loadPg(): PgModule {
  const global = globalThis as { navigator?: unknown };
  const lent = global.navigator === undefined;
  if (lent) Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true, writable: true });
  try {
    return require('pg') as PgModule;
  } finally {
    if (lent) delete global.navigator;
  }
}

interface ScramCrypto {
  deriveKey(password: string, salt: Uint8Array, iterations: number): Promise<ArrayBuffer>;
}

/** The salted passwords derived so far, by round count, salt and password. */
const derived = new Map<string, Promise<ArrayBuffer>>();

function shareScramDerivations(): void {
  let crypto: ScramCrypto;
  try {
    crypto = require('pg/lib/crypto/utils') as ScramCrypto;
  } catch {
    return; // another layout of pg: it derives each time, as it would anyway
  }
  const derive = crypto.deriveKey;
  if (typeof derive !== 'function') return;
  crypto.deriveKey = (password, salt, iterations) => {
    const key = `${iterations}\0${Buffer.from(salt).toString('base64')}\0${password}`;
    let pending = derived.get(key);
    if (!pending) {
      pending = derive(password, salt, iterations);
      derived.set(key, pending);
      // A failed derivation is not kept: the next connection tries again.
      pending.catch(() => derived.delete(key));
    }
    return pending;
  };
}

const pg = loadPg();
shareScramDerivations();

export const Client = pg.Client;
export type Client = import('pg').Client;
export const { escapeIdentifier, escapeLiteral } = pg;
export type { ClientConfig } from 'pg';
