/** docs/cluster.md shows the Slurm scripts that CI submits (`test/cluster/slurm-smoke.sh`), verbatim. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const doc = readFileSync(join(root, 'docs/cluster.md'), 'utf8');

describe('docs/cluster.md', () => {
  it.each(['examples/slurm/matrix-shard.sbatch', 'examples/slurm/submit.sh'])('holds %s as it is', (file) => {
    expect(doc).toContain(`\`${file}\`:\n\n\`\`\`bash\n${readFileSync(join(root, file), 'utf8')}\`\`\`\n`);
  });
});
