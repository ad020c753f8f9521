import { renderText } from '../../src/output/lint/text';
import { wantsColor } from '../../src/output/lint/index';
import { cleanRun, fixtureRun } from './fixtures/report';
import { expectGolden } from './golden';

describe('text output', () => {
  it('shows file:line:col, rule, severity, a code frame of the statement, why and the fix', () => {
    expectGolden('text.txt', renderText(fixtureRun(), { color: false }));
  });

  it('says so when there is nothing to report', () => {
    expectGolden('text-clean.txt', renderText(cleanRun(), { color: false }));
  });

  it('colours only when asked', () => {
    const ansi = /\u001b\[/;
    expect(renderText(fixtureRun(), { color: true })).toMatch(ansi);
    expect(renderText(fixtureRun(), { color: false })).not.toMatch(ansi);
  });

  it('colour follows the terminal, NO_COLOR and FORCE_COLOR', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
  });
});
