import { svelte } from '@sveltejs/vite-plugin-svelte'
import { svelteTesting } from '@testing-library/svelte/vite'
import { defineConfig } from 'vitest/config'

// globalSetup: builds the dense kernels when they are missing or older than kernels.wat
// OPENBLAS_CORETYPE: torch's reference products come from OpenBLAS, whose kernel (and so its fused
// multiply-add chains) depends on the CPU: on an AVX-512 machine it picks Cooperlake's, elsewhere
// Haswell's, the AVX2 family the dense engine's products follow bit for bit (docs/PARITY.md). The
// tests' PyTorch processes inherit this, so parity is checked against one kernel on any machine.
const shared = { testTimeout: 120_000, hookTimeout: 120_000, globalSetup: ['scripts/buildKernels.ts'], env: { OPENBLAS_CORETYPE: 'Haswell' } }

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
