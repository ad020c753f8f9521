import { describeConnectionString, redactSecrets, registerConnectionSecrets } from '../../src/db/redact';
import { SECRET, secretShapes } from '../harness/secret-shapes';



describe('redactSecrets', () => {
  it.each([
    ['postgres://u:Secret@h/db', 'postgres://u:***@h/db'],
    ['postgres//postgres:Secret@127.0.0.1', 'postgres//postgres:***@127.0.0.1'],
    ['postgresql:/u:Secret@h:5432/db', 'postgresql:/u:***@h:5432/db'],
    ['postgres://u:Se:cr@et@h/db', 'postgres://u:***@h/db'],
    ['x "postgres:Secret@h" y', 'x "postgres:***@h" y'],
    ["host=h password='abc def", 'host=h password=***'],
    ["host=h password='a b' user=u", 'host=h password=*** user=u'],
    ['host=h password=Secret user=u', 'host=h password=*** user=u'],
    ['postgres://h/db?password=Secret&x=1', 'postgres://h/db?password=***&x=1'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('masks a registered password wherever it appears, even with no URL around it', () => {
    registerConnectionSecrets("host=h password='Registered pw");
    expect(redactSecrets('the server said: Registered pw is wrong')).toBe('the server said: *** is wrong');
  });
});

describe('describeConnectionString', () => {
  it.each(secretShapes(5432))('never repeats the secret of %s', (shape) => {
    expect(describeConnectionString(shape)).not.toContain(SECRET);
  });
});
