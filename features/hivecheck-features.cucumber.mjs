// Cucumber configuration for `npx hivecheck features`: the shipped step library and support code
// (found from this file, wherever hivecheck is installed). The task adds the feature paths, tags,
// reports and whatever follows `--` on its command line.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// cucumber-js resolves paths from the working directory (where the user runs hivecheck).
const here = relative(process.cwd(), fileURLToPath(new URL('.', import.meta.url))).split('\\').join('/') || '.';

export default {
  import: [`${here}/support/**/*.ts`, `${here}/steps/**/*.ts`],
  formatOptions: { snippetInterface: 'async-await' },
  strict: true,
};
