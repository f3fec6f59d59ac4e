// dependency-cruiser: the layering of src/ (DESIGN.md, "Code layout"). Run by `npm run lint:deps`
// (part of `npm run lint`); every rule is an error.
//
//   src/doors/{admin,portal,api}   gates, viewers, route tables, the /rest door
//   src/features/<name>/           service · repo · schema · routes of one feature
//   src/access/, src/regional/     pure domain: no web, no database
//   src/http/, src/db/, src/stores/, src/mail/, src/i18n/   plumbing
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'feature-uses-service-or-schema',
      comment:
        'A feature uses another feature only through its service.ts or schema.ts, never its repo, routes or helpers.',
      severity: 'error',
      from: { path: '^src/features/([^/]+)/' },
      to: {
        path: '^src/features/[^/]+/',
        pathNot: ['^src/features/$1/', '^src/features/[^/]+/(service|schema)\\.ts$'],
      },
    },
    {
      name: 'door-not-repo',
      comment: "A door composes features through their services, schemas and route tables, never a feature's repo.",
      severity: 'error',
      from: { path: '^src/doors/' },
      to: { path: '^src/features/[^/]+/repo\\.ts$' },
    },
    {
      name: 'feature-not-door',
      comment: 'Doors use features, never the other way round.',
      severity: 'error',
      from: { path: '^src/features/' },
      to: { path: '^src/doors/' },
    },
    {
      name: 'plumbing-not-features-or-doors',
      comment: 'The domain modules and the plumbing know nothing of features and doors.',
      severity: 'error',
      from: { path: '^src/(access|regional|http|db|stores|mail|i18n)/' },
      to: { path: '^src/(features|doors)/' },
    },
    {
      name: 'pure-domain',
      comment:
        'src/access/ and src/regional/ are pure: no Express, no Knex (types included), nothing from http/ or db/.',
      severity: 'error',
      from: { path: '^src/(access|regional)/' },
      to: {
        path: [
          '^src/(http|db)/',
          '(^|/)node_modules/(express|express-session|knex|@types/express|@types/express-serve-static-core|@types/express-session)/',
        ],
      },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'No module in src/ stands alone, importing nothing and imported by nothing (the entry points excepted).',
      severity: 'error',
      from: {
        orphan: true,
        path: '^src/',
        pathNot: ['^src/(server|cli)\\.ts$', '\\.d\\.ts$', '\\.json$'],
      },
      to: {},
    },
    {
      name: 'no-unreachable',
      comment: 'Every module in src/ is reachable from an entry point (src/server.ts, src/cli.ts): no dead modules.',
      severity: 'error',
      from: { path: '^src/(server|cli)\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/(server|cli)\\.ts$', '\\.d\\.ts$', '\\.json$'], reachable: false },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a moved module leaves no dangling import behind).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports count: `import type { Request } from 'express'` is a dependency on Express.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
