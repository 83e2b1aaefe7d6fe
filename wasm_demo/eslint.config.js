// ESLint 9 flat config for the demo's browser code in src/ (`npm run lint`; .ci/test runs it). The page
// modules run in the browser, worker.js and the modules it imports in a module worker: both sets of globals.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    files: ['src/**/*.js'],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.worker },
    },
  },
];
