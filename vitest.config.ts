import { svelte } from '@sveltejs/vite-plugin-svelte'
import { svelteTesting } from '@testing-library/svelte/vite'
import { defineConfig } from 'vitest/config'

// globalSetup: builds the dense kernels when they are missing or older than kernels.wat
const shared = { testTimeout: 120_000, hookTimeout: 120_000, globalSetup: ['scripts/buildKernels.ts'] }

export default defineConfig({
  test: {
    // two cores: PyTorch references, training workers and Chromium already use both
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'node', include: ['tests/**/*.test.ts'], exclude: ['tests/component/**'], environment: 'node' } },
      {
        plugins: [svelte(), svelteTesting()],
        define: { global: 'globalThis' },
        test: { ...shared, name: 'component', include: ['tests/component/**/*.test.ts'], environment: 'jsdom' },
      },
    ],
  },
})
