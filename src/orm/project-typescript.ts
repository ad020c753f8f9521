import * as fs from 'node:fs';
import * as path from 'node:path';

type TypeScript = typeof import('typescript');
interface NodeModuleInternals {
  _extensions: Record<string, (module: { _compile(code: string, filename: string): void }, filename: string) => void>;
  _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string;
}

/**
 * While a TypeScript migration loads, the project's own TypeScript modules it imports load too,
 * as ts-node with tsconfig-paths loads them when the tool runs the migration: a `.ts` file
 * (`import { tables } from '../helpers'`) is transpiled in memory by the project's compiler, and
 * an alias from the `paths` of the nearest tsconfig.json (`import config from '@/config'`)
 * resolves to its file. Node's loader is put back as it was afterwards.
 */
export function withProjectTypeScript<T>(moduleApi: unknown, project: ProjectConfig | undefined, transpile: (file: string) => string, load: () => T): T {
  const internals = moduleApi as NodeModuleInternals;
  const aliases = project ? pathAliases(project) : [];
  // Ours even when the host registered one (a test runner, a require hook that compiles
  // differently): the project's modules must load as its own compiler makes them.
  const previousTs = internals._extensions['.ts'];
  const resolve = internals._resolveFilename;
  internals._extensions['.ts'] = (module, filename) => module._compile(transpile(filename), filename);
  if (aliases.length > 0) {
    internals._resolveFilename = function resolveWithAliases(request: string, parent: unknown, ...rest: unknown[]) {
      for (const candidate of aliasCandidates(aliases, request)) {
        try {
          return resolve.call(this, candidate, parent, ...rest);
        } catch {
          // the next mapping of the alias, then the request as written
        }
      }
      return resolve.call(this, request, parent, ...rest);
    };
  }
  try {
    return load();
  } finally {
    if (previousTs) internals._extensions['.ts'] = previousTs;
    else delete internals._extensions['.ts'];
    internals._resolveFilename = resolve;
  }
}

interface PathAlias {
  prefix: string;
  suffix: string;
  wildcard: boolean;
  targets: string[];
}

/** The tsconfig.json nearest to a migration, parsed by the project's compiler (extends followed). */
export interface ProjectConfig {
  file: string;
  options: import('typescript').CompilerOptions;
}

export function projectConfig(ts: TypeScript, directory: string): ProjectConfig | undefined {
  const file = ts.findConfigFile(directory, (f) => fs.existsSync(f));
  if (!file) return undefined;
  const read = ts.readConfigFile(file, (f) => fs.readFileSync(f, 'utf8'));
  if (read.error) return undefined;
  return { file, options: ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(file)).options };
}

/** The `paths` of the project's tsconfig, as absolute targets. */
function pathAliases({ file, options }: ProjectConfig): PathAlias[] {
  const paths = options.paths;
  if (!paths) return [];
  // TypeScript resolves paths from baseUrl, or (without one) from the tsconfig that declares them.
  const base = options.baseUrl ?? ((options as { pathsBasePath?: string }).pathsBasePath || path.dirname(file));
  return Object.entries(paths).map(([pattern, targets]) => {
    const star = pattern.indexOf('*');
    return {
      prefix: star < 0 ? pattern : pattern.slice(0, star),
      suffix: star < 0 ? '' : pattern.slice(star + 1),
      wildcard: star >= 0,
      targets: targets.map((t) => path.resolve(base, t)),
    };
  });
}

function aliasCandidates(aliases: PathAlias[], request: string): string[] {
  const out: string[] = [];
  for (const alias of aliases) {
    if (!alias.wildcard) {
      if (request === alias.prefix) out.push(...alias.targets);
      continue;
    }
    if (request.length < alias.prefix.length + alias.suffix.length || !request.startsWith(alias.prefix) || !request.endsWith(alias.suffix)) continue;
    const matched = request.slice(alias.prefix.length, request.length - alias.suffix.length);
    out.push(...alias.targets.map((t) => t.replace('*', matched)));
  }
  return out;
}
