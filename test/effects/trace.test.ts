/** The live trace's index builds, against a real PostgreSQL 15 (#14, found by bench/replay.js). */
import { Client } from 'pg';
import { traceStatement } from '../../src/effects/trace';
import { useCluster } from '../harness/cluster';

const cluster = useCluster();

async function indexBuilds(setup: string, sql: string): Promise<number> {
  const client = new Client({ connectionString: cluster().primary.url });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS traced; CREATE TABLE traced (id int PRIMARY KEY, phone varchar(15), org int);');
    await client.query(setup);
    const trace = await traceStatement(client, sql, ['public.traced']);
    expect(trace.error).toBeUndefined();
    return trace.relations['public.traced'].indexBuilds;
  } finally {
    await client.end();
  }
}

describe('traceStatement: index builds', () => {
  it('does not count an index ALTER COLUMN TYPE keeps (a new oid on the same storage)', async () => {
    expect(await indexBuilds('ALTER TABLE traced ADD CONSTRAINT traced_phone_org UNIQUE (phone, org);', 'ALTER TABLE traced ALTER COLUMN phone TYPE varchar(255)')).toBe(0);
    expect(await indexBuilds('CREATE INDEX traced_phone ON traced (phone);', 'ALTER TABLE traced ALTER COLUMN phone TYPE text')).toBe(0);
  });

  it('counts an index built again or built new', async () => {
    expect(await indexBuilds('CREATE INDEX traced_phone_lower ON traced (lower(phone));', 'ALTER TABLE traced ALTER COLUMN phone TYPE varchar(255)')).toBe(1);
    expect(await indexBuilds('', 'CREATE INDEX traced_org ON traced (org)')).toBe(1);
    // A rewrite builds every index again: the primary key and the new one.
    expect(await indexBuilds('CREATE INDEX traced_org ON traced (org);', 'ALTER TABLE traced ALTER COLUMN org TYPE bigint')).toBe(2);
  });
});
