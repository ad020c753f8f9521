/** Connection strings an operator may type by mistake, each carrying SECRET (see test/cli/secrets.test.ts). */
export const SECRET = 'Sekr1t-pw';

/** Each shape carries SECRET; most are malformed, the last ones are well-formed but refused by the server. */
export function secretShapes(port: number): string[] {
  return [
    `postgres//postgres:${SECRET}@127.0.0.1:${port}/postgres`,
    `postgresql:/postgres:${SECRET}@127.0.0.1:${port}/postgres`,
    `postgres:/postgres:${SECRET}@127.0.0.1:${port}/postgres`,
    `postgres:postgres:${SECRET}@127.0.0.1:${port}/postgres`,
    `postgres://postgres:${SECRET}@127.0.0.1:notaport/postgres`,
    `postgres://postgres:${SECRET}@@127.0.0.1:${port}/postgres`,
    `postgres://postgres:${SECRET}@[::1/postgres`,
    `postgres://postgres:${SECRET} 127.0.0.1:${port}/postgres`,
    `host=127.0.0.1 port=${port} user=postgres password='${SECRET}`,
    `host=127.0.0.1 password='${SECRET} user=postgres port=${port}`,
    `host=127.0.0.1 port=${port} password=${SECRET} user`,
    `host=127.0.0.1 port=notaport password=${SECRET}`,
    `postgres//127.0.0.1:${port}/postgres?password=${SECRET}`,
    `${SECRET}`,
    `127.0.0.1:${port}:postgres:postgres:${SECRET}`,
    `postgres://postgres:${SECRET}@127.0.0.1:${port}/postgres`,
    `host=127.0.0.1 port=${port} user=postgres password=${SECRET}`,
    `postgres://postgres@127.0.0.1:${port}/postgres?password=${SECRET}`,
  ];
}

