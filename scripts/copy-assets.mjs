// tsc compiles TypeScript only; the SQL migrations travel beside the compiled store code.
import { cpSync } from 'node:fs';

cpSync('src/store/migrations', 'dist/src/store/migrations', { recursive: true });
