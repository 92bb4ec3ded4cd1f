import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileKernel, kernelModuleSource, WASM_KERNELS } from '../../build/compile-wasm.js';

const ROOT = path.resolve(__dirname, '../..');

describe('the WebAssembly kernels', () => {
  for (const kernel of WASM_KERNELS) {
    it(`${kernel.module} is what ${kernel.source} compiles to (run npm run build:wasm after changing it)`, () => {
      const bytes = compileKernel(kernel);
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('\0asm');
      expect(readFileSync(path.join(ROOT, kernel.module), 'utf8')).toBe(kernelModuleSource(kernel, bytes));
    }, 60_000);
  }
});
