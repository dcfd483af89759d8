// ESLint for the whole repository: typescript-eslint's recommended and
// stylistic rules everywhere, angular-eslint's for the client and its
// templates. Formatting is Prettier's (.prettierrc.json); `npm test` runs both
// with zero warnings allowed.
import eslint from '@eslint/js';
import angular from 'angular-eslint';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', '.tools/', '.angular/', 'test-results/', '**/*.d.ts', '**/*.d.mts', '**/*.d.cts'] },
  {
    files: ['**/*.ts'],
    extends: [eslint.configs.recommended, tseslint.configs.recommended, tseslint.configs.stylistic],
    rules: {
      // Unused parameters named _… say "deliberately ignored".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // T[] for simple element types, Array<…> where the element type is itself a longer expression.
      '@typescript-eslint/array-type': ['error', { default: 'array-simple' }],
      // Object types are aliases where they must be (event maps for EventEmitter, message shapes) and interfaces elsewhere.
      '@typescript-eslint/consistent-type-definitions': 'off',
    },
  },
  {
    // Tests and test helpers speak to untyped JSON and browser internals on purpose.
    files: ['**/*.spec.ts', '**/testing/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['client/src/**/*.ts'],
    extends: [angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
    rules: {
      '@angular-eslint/component-selector': ['error', { type: 'element', prefix: 'raum', style: 'kebab-case' }],
      '@angular-eslint/directive-selector': ['error', { type: 'attribute', prefix: 'raum', style: 'camelCase' }],
    },
  },
  {
    files: ['client/src/**/*.html'],
    extends: [angular.configs.templateRecommended, angular.configs.templateAccessibility],
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [eslint.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
);
