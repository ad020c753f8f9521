/** Every rule reports each of its bad examples and none of its good ones (the SQL its docs page shows). */
import { RULES } from '../../rules';
import { EXAMPLE_SCHEMA } from '../fixtures/example-schema';
import { findingsOf } from './helpers';

describe.each(RULES.map((r) => [r.meta.id, r] as const))('%s examples', (id, rule) => {
  // Rules that are off by default are switched on to test them.
  const severities = { [id]: rule.meta.defaultSeverity === 'off' ? ('error' as const) : rule.meta.defaultSeverity };
  const opts = { existingSchema: EXAMPLE_SCHEMA, severities };

  it('has at least one bad and one good example', () => {
    expect(rule.examples.bad.length).toBeGreaterThan(0);
    expect(rule.examples.good.length).toBeGreaterThan(0);
  });

  it.each(rule.examples.bad)('reports: %s', async (sql) => {
    expect((await findingsOf(id, sql + ';', opts)).length).toBeGreaterThan(0);
  });

  it.each(rule.examples.good)('accepts: %s', async (sql) => {
    expect(await findingsOf(id, sql + ';', opts)).toEqual([]);
  });
});
