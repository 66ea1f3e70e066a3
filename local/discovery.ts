/**
 * The local platform's discovery file: `npm start` writes where its engines listen (whatever its
 * ports or DATA_DIR) to `.local/platform.json` (and `$DATA_DIR/platform.json`), so the CLI finds a
 * running platform with no flags. A file whose process is gone is ignored.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const DEFAULT_DISCOVERY_FILE = join(REPO_ROOT, '.local', 'platform.json');
export const DISCOVERY_FILE_NAME = 'platform.json';

export interface PlatformDiscovery {
  readonly pid: number;
  readonly startedAt: string;
  readonly url: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly sesEndpoint: string;
  readonly keyDir: string;
  readonly dataDir?: string;
}

/** Write the file atomically; returns a remover that deletes it only while it still names this process. */
export const writeDiscovery = (file: string, discovery: PlatformDiscovery): (() => void) => {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(discovery, null, 2)}\n`);
  renameSync(temporary, file);
  return () => {
    if (readDiscovery(file)?.startedAt === discovery.startedAt) rmSync(file, { force: true });
  };
};

/** The discovery in `file`, if the file exists, parses, and its process is alive. */
export const readDiscovery = (file: string): PlatformDiscovery | undefined => {
  if (!existsSync(file)) return undefined;
  let parsed: Partial<PlatformDiscovery>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PlatformDiscovery>;
  } catch {
    return undefined;
  }
  if (typeof parsed.pid !== 'number' || typeof parsed.dynamoEndpoint !== 'string' || typeof parsed.tableName !== 'string') return undefined;
  return isAlive(parsed.pid) ? (parsed as PlatformDiscovery) : undefined;
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Where to look, in order: `DISCLOSURE_PLATFORM_FILE`, `$DATA_DIR/platform.json`, `.local/platform.json`. */
export const discoveryCandidates = (env: NodeJS.ProcessEnv = process.env): string[] => [
  ...(env['DISCLOSURE_PLATFORM_FILE'] ? [resolve(env['DISCLOSURE_PLATFORM_FILE'])] : []),
  ...(env['DATA_DIR'] ? [join(resolve(env['DATA_DIR']), DISCOVERY_FILE_NAME)] : []),
  DEFAULT_DISCOVERY_FILE,
];

/** The first running platform among the candidates. */
export const findRunningPlatform = (candidates: readonly string[] = discoveryCandidates()): { file: string; discovery: PlatformDiscovery } | undefined => {
  for (const file of candidates) {
    const discovery = readDiscovery(file);
    if (discovery) return { file, discovery };
  }
  return undefined;
};
