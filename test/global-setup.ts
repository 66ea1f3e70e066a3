/** Runs once before the suite. The content artifact is built by `pretest`; fail early if it is missing. */
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (!existsSync(new URL('../.build/content.json', import.meta.url))) {
    throw new Error('.build/content.json is missing: run `npm run cli -- build` (npm test does it in pretest)');
  }
}
