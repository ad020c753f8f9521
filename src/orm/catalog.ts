/**
 * The answer to a tool's "does this table exist?" (Knex's schema.hasTable, TypeORM's hasTable,
 * Sequelize's queryInterface.tableExists; each asks information_schema.tables for one name):
 * yes, as every recorder tells the tool's helpers, so a guard like
 * `if (!(await hasTable('orders'))) createTable('orders')` does not make an existing table count
 * as new and exempt what follows on it. "Does this column exist?" gets no rows: the change a
 * migration makes when the column is missing is the one recorded and linted.
 */
export function tableExistenceRows(sql: string): Array<Record<string, unknown>> | undefined {
  return /^\s*select (\*|table_name) from "?information_schema"?\."?tables"? where\b.*\btable_name"? = /is.test(sql) ? [{ table_schema: 'public', table_name: 'exists' }] : undefined;
}
