// ESLint (flat config): typescript-eslint's recommended rules over src, test, bench and scripts,
// plus the project's own: only the CLI prints or exits (DESIGN.md), `===` always, type-only
// imports marked as such. `npm run lint` runs it and `npm test` runs it before the tests.
// Formatting is Prettier's job (`npm run format`), so no stylistic rule is enabled here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'build-asan/', 'node_modules/', 'runs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'always'],
      // `_name` marks a parameter or binding kept for its position (tsc's noUnused* agree).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'separate-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // Below the CLI, code returns values and throws errors; it never prints or exits.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/main.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'only src/cli exits' }],
    },
  },
  {
    // Objects keyed by names a user can choose (tasks, classes, columns, state-dict entries) have no
    // prototype, so 'toString' or '__proto__' is data (src/core/safe-keys.ts, issue #19).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "VariableDeclarator[init.type='ObjectExpression'][init.properties.length=0][id.typeAnnotation.typeAnnotation.typeName.name='Record'][id.typeAnnotation.typeAnnotation.typeArguments.params.0.type='TSStringKeyword']",
          message: 'a record keyed by names starts from nullRecord<T>() (src/core/safe-keys.ts) or is a Map',
        },
        {
          selector:
            "AssignmentPattern[right.type='ObjectExpression'][right.properties.length=0][left.typeAnnotation.typeAnnotation.typeName.name='Record'][left.typeAnnotation.typeAnnotation.typeArguments.params.0.type='TSStringKeyword']",
          message: 'a record keyed by names starts from nullRecord<T>() (src/core/safe-keys.ts) or is a Map',
        },
        {
          selector: "CallExpression[callee.object.name='Object'][callee.property.name='fromEntries']",
          message: 'use recordFrom(entries) (src/core/safe-keys.ts): a record with no prototype',
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' },
    },
  },
);
