import { stripJsonComments } from '../../src/config/jsonc';

describe('dbops.config.json with comments', () => {
  it('blanks // and /* */ comments outside strings, keeping strings and positions', () => {
    const text = '{\n  // the server\n  "pgVersion": 15, /* inline */\n  "url": "postgres://a//b/*c*/"\n}';
    const stripped = stripJsonComments(text);
    expect(stripped).toHaveLength(text.length);
    expect(JSON.parse(stripped)).toEqual({ pgVersion: 15, url: 'postgres://a//b/*c*/' });
    expect(stripJsonComments('{"a": "x\\" // not a comment"}')).toBe('{"a": "x\\" // not a comment"}');
  });
});
