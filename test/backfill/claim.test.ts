import { ABANDONED_AFTER_S, claimedError, ownerProcessGone, processAlive, type ClaimHolder } from '../../src/backfill/claim';
import { EXIT } from '../../src/core/exit-codes';

const holder = (over: Partial<ClaimHolder> = {}): ClaimHolder => ({ pid: 4242, applicationName: 'dbops backfill', clientAddr: '10.0.0.7', state: 'active', idleFor: 0.2, ...over });

describe('a backfill claimed by another runner', () => {
  it('knows a runner of this host whose process is gone, and only that', () => {
    expect(ownerProcessGone('box pid 17', 'box', () => false)).toBe(true);
    expect(ownerProcessGone('box pid 17', 'box', () => true)).toBe(false);
    expect(ownerProcessGone('other pid 17', 'box', () => false)).toBe(false);
    expect(ownerProcessGone(null, 'box', () => false)).toBe(false);
    expect(processAlive(process.pid)).toBe(true);
  });

  it('a live runner: wait for it or control it', () => {
    const e = claimedError('public.t', 'box pid 17', holder(), false);
    expect(e.exitCode).toBe(EXIT.failed);
    expect(e.message).toBe("backfill public.t is already being run by box pid 17 (server process 4242 (application 'dbops backfill', from 10.0.0.7, active for 0.2 s))");
    expect(e.hint).toBe('wait for it, or control it with dbops backfill status|pause|cancel public.t');
  });

  it('a runner that is gone: names the server process still holding the claim and how to end it', () => {
    const e = claimedError('public.t', 'box pid 17', holder({ applicationName: '', clientAddr: null, state: 'idle', idleFor: 3 }), true);
    expect(e.exitCode).toBe(EXIT.failed);
    expect(e.message).toBe("backfill public.t is claimed by a runner that is gone: box pid 17 no longer exists, but server process 4242 (application '', idle for 3.0 s) still holds its claim");
    expect(e.hint).toBe('end that session with SELECT pg_terminate_backend(4242); then rerun the same command to resume');
  });

  it('a claim whose session has been idle far longer than any runner waits looks abandoned, wherever its runner ran', () => {
    const e = claimedError('public.t', 'elsewhere pid 17', holder({ state: 'idle', idleFor: ABANDONED_AFTER_S + 1 }), false);
    expect(e.message).toMatch(/^backfill public.t is claimed by elsewhere pid 17, but its server process 4242 .* looks abandoned/);
    expect(e.hint).toMatch(/SELECT pg_terminate_backend\(4242\); then rerun the same command to resume$/);
    // A runner mid-batch is never abandoned, however long the batch.
    expect(claimedError('public.t', 'elsewhere pid 17', holder({ state: 'active', idleFor: 600 }), false).message).toMatch(/is already being run/);
  });
});
