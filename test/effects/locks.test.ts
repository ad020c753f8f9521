import { blocksReads, blocksWrites, conflicts, isStrongLock, LOCK_MODES, lockModeFromNumber, strongest } from '../../src/effects/locks';

describe('lock modes', () => {
  it('has a symmetric conflict table', () => {
    for (const a of LOCK_MODES) for (const b of LOCK_MODES) expect([a, b, conflicts(a, b)]).toEqual([a, b, conflicts(b, a)]);
  });

  it('knows what blocks readers and writers', () => {
    expect(LOCK_MODES.filter(blocksReads)).toEqual(['AccessExclusiveLock']);
    expect(LOCK_MODES.filter(blocksWrites)).toEqual(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']);
    expect(isStrongLock('ShareUpdateExclusiveLock')).toBe(false);
    expect(conflicts('ShareUpdateExclusiveLock', 'ShareUpdateExclusiveLock')).toBe(true);
  });

  it('picks the strongest and maps LOCK TABLE mode numbers', () => {
    expect(strongest(['ShareLock', 'AccessShareLock', 'ShareRowExclusiveLock'])).toBe('ShareRowExclusiveLock');
    expect(strongest([])).toBeUndefined();
    expect(lockModeFromNumber(1)).toBe('AccessShareLock');
    expect(lockModeFromNumber(5)).toBe('ShareLock');
    expect(lockModeFromNumber(8)).toBe('AccessExclusiveLock');
  });
});
