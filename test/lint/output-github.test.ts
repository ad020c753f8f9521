import { escapeData, escapeProperty, renderGithub } from '../../src/output/lint/github';
import { fixtureRun } from './fixtures/report';
import { expectGolden } from './golden';

describe('github output', () => {
  it('is one workflow command per finding plus a summary line', () => {
    const out = renderGithub(fixtureRun());
    expectGolden('github.txt', out);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^::error file=migrations\/0002_orders\.sql,line=3,col=3,endLine=3,endColumn=30,title=dbops column-type-rewrite::Changing orders\.id/);
    expect(lines[2]).toMatch(/^::warning /);
  });

  it('escapes %, CR and LF in messages and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
    const out = renderGithub(fixtureRun());
    for (const line of out.trimEnd().split('\n').slice(0, 5)) {
      const [, props] = /^::(?:error|warning) (.*?)::/.exec(line)!;
      for (const prop of props.split(',')) expect(prop).toMatch(/^(file|line|col|endLine|endColumn|title)=[^,:]*$/);
    }
  });
});
