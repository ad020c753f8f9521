import { findingsOf } from './helpers';

describe('creating-index-non-concurrently', () => {
  const rule = 'creating-index-non-concurrently';
  it('reports CREATE INDEX on an existing table and suggests CONCURRENTLY', async () => {
    const [f] = await findingsOf(rule, 'CREATE INDEX users_name ON users (name);');
    expect(f.why).toContain('ShareLock');
    expect(f.fix).toContain('CREATE INDEX CONCURRENTLY users_name ON users (name);');
    const [u] = await findingsOf(rule, 'create unique index users_name on users (name);');
    expect(u.fix).toContain('create unique index CONCURRENTLY users_name');
  });
  it('does not report the partitioned-index recipe (ON ONLY the parent, then attach)', async () => {
    const recipe = 'CREATE INDEX events_at ON ONLY events (at);\nCREATE INDEX CONCURRENTLY events_2024_at ON events_2024 (at);\nALTER INDEX events_at ATTACH PARTITION events_2024_at;';
    expect(await findingsOf(rule, recipe)).toEqual([]);
    // ONLY on a table known to be plain still builds the index.
    expect(await findingsOf(rule, 'CREATE INDEX users_name ON ONLY users (name);')).toHaveLength(1);
  });

  it('gives a partitioned table the ON ONLY recipe, naming its partitions, since it refuses CONCURRENTLY', async () => {
    const schema = [
      'CREATE TABLE events (id int, at date NOT NULL, kind int) PARTITION BY RANGE (at);',
      "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
      "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY LIST (kind);",
      'CREATE TABLE events_2025_a PARTITION OF events_2025 FOR VALUES IN (1);',
    ].join('\n');
    const found = await findingsOf(rule, 'CREATE INDEX events_at ON events (at);', { existingSchema: schema });
    expect(found).toHaveLength(1);
    expect(found[0].fix).toContain('CREATE INDEX events_at ON ONLY events (at);');
    expect(found[0].fix).toContain('for each partition (events_2024, events_2025_a)');
    expect(found[0].fix).toContain('ALTER INDEX events_at ATTACH PARTITION <partition>_events_at;');
    expect(found[0].fix).toContain('events_2025 is partitioned too');
    expect(found[0].fix).not.toContain('CONCURRENTLY events_at');
  });

  it('does not report CONCURRENTLY or a new table', async () => {
    expect(await findingsOf(rule, 'CREATE INDEX CONCURRENTLY users_name ON users (name);')).toEqual([]);
    expect(await findingsOf(rule, 'CREATE TABLE t (a int);\nCREATE INDEX ON t (a);')).toEqual([]);
  });
});
