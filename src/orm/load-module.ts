import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectConfig, withProjectTypeScript, type ProjectConfig } from './project-typescript';
import { OrmEvaluationError } from './types';

export interface LoadedMigrationModule {
  exports: Record<string, unknown>;
  /** require() from the migration's directory: the user's project, its ORM and its driver. */
  projectRequire: NodeJS.Require;
  /** Line in the file as written, for a line of the code that runs (differs only for transpiled TypeScript). */
  mapLine: (generatedLine: number, column: number) => number | undefined;
}

const TYPESCRIPT = /\.(c|m)?ts$/i;

/**
 * Loads a migration file as the user's project would, without a build step: JavaScript with
 * Node's own loader (CommonJS, or ES modules through require), TypeScript transpiled in memory
 * with the project's own `typescript` package (nothing is written to disk). A project without
 * `typescript` gets an OrmEvaluationError saying to install it: dbops does not ship a compiler.
 */
export function loadMigrationModule(file: string): LoadedMigrationModule {
  const nodeModule = realNodeModule();
  const projectRequire = nodeModule.createRequire(file);
  if (!TYPESCRIPT.test(file)) {
    return { exports: requireFresh(projectRequire, file), projectRequire, mapLine: (line) => line };
  }
  const ts = projectTypeScript(projectRequire);
  const project = projectConfig(ts, path.dirname(file));
  loadReflectMetadata(projectRequire);
  const transpiled = transpileTypeScript(ts, file, project);
  const compiled = new nodeModule.Module(file) as NodeJS.Module & { _compile(code: string, filename: string): void; paths: string[] };
  compiled.filename = file;
  compiled.paths = (nodeModule.Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  try {
    withProjectTypeScript(nodeModule.Module, project, (imported) => transpileTypeScript(ts, imported, project).code, () => compiled._compile(transpiled.code, file));
  } catch (err) {
    throw loadFailure(err);
  }
  const sourceMap = new nodeModule.SourceMap(JSON.parse(transpiled.map));
  return {
    exports: compiled.exports as Record<string, unknown>,
    projectRequire,
    mapLine: (line, column) => {
      const entry = sourceMap.findEntry(line - 1, column - 1) as { originalLine?: number };
      return entry.originalLine === undefined ? undefined : entry.originalLine + 1;
    },
  };
}

/**
 * Node's own module system, even inside a host that replaces require (jest does): the user's
 * project must load exactly as Node loads it, ES module packages included.
 */
function realNodeModule(): typeof import('node:module') {
  const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  return (builtin ? builtin('node:module') : require('node:module')) as typeof import('node:module');
}

function requireFresh(projectRequire: NodeJS.Require, file: string): Record<string, unknown> {
  // A long-lived process (tests, watch mode) must see the file as it is now.
  delete projectRequire.cache[file];
  try {
    return projectRequire(file) as Record<string, unknown>;
  } catch (err) {
    throw loadFailure(err);
  }
}

function loadFailure(err: unknown): OrmEvaluationError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND') {
    return new OrmEvaluationError(`cannot be loaded: ${firstLine(e.message)}`, 'install the project\'s dependencies (npm ci) before linting its migrations');
  }
  return new OrmEvaluationError(`cannot be loaded: ${firstLine(e.message ?? String(err))}`, 'fix the migration so Node can load it');
}

export function firstLine(text: string): string {
  return text.split('\n')[0];
}

function projectTypeScript(projectRequire: NodeJS.Require): typeof import('typescript') {
  try {
    return projectRequire('typescript') as typeof import('typescript');
  } catch {
    throw new OrmEvaluationError(
      'cannot be loaded: it is TypeScript, and the project has no typescript package',
      'npm install --save-dev typescript (dbops transpiles migrations in memory with it; nothing is built or written)',
    );
  }
}

/**
 * The project's reflect-metadata, when it has one, loaded before its TypeScript: TypeORM's CLI
 * loads it first too, and entities a migration imports read their column types from it.
 */
function loadReflectMetadata(projectRequire: NodeJS.Require): void {
  try {
    projectRequire.resolve('reflect-metadata');
  } catch {
    return;
  }
  projectRequire('reflect-metadata');
}

/**
 * TypeScript → CommonJS JavaScript with a source map, by the project's own compiler. Decorators
 * are compiled as the project's tsconfig says (legacy decorators, and their type metadata, which
 * TypeORM entities need); without a tsconfig, legacy decorators.
 */
function transpileTypeScript(ts: typeof import('typescript'), file: string, project: ProjectConfig | undefined): { code: string; map: string } {
  const output = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: project?.options.experimentalDecorators ?? true,
      emitDecoratorMetadata: project?.options.emitDecoratorMetadata ?? false,
      sourceMap: true,
    },
  });
  return { code: output.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ''), map: output.sourceMapText ?? '{"version":3,"sources":[],"names":[],"mappings":""}' };
}
