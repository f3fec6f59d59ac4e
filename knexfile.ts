// Used by the knex CLI (`npx knex migrate:status`); the app itself calls src/db/knex.ts.
import { loadConfig } from './src/config.ts';
import { knexConfig } from './src/db/knex.ts';

export default knexConfig(loadConfig());
