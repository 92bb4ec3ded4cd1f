/**
 * The part of the WebAssembly JavaScript API that Node.js provides and this project uses: TypeScript declares
 * it in lib.dom.d.ts, and the project compiles without the DOM (Lambda has none).
 */
declare global {
  namespace WebAssembly {
    class Module {
      constructor(bytes: Uint8Array);
    }
    class Instance {
      constructor(module: Module, imports?: Readonly<Record<string, Readonly<Record<string, unknown>>>>);
      readonly exports: Exports;
    }
    class Memory {
      constructor(descriptor: { readonly initial: number; readonly maximum?: number });
      readonly buffer: ArrayBuffer;
      grow(pages: number): number;
    }
    class Global {
      readonly value: unknown;
    }
    type ExportValue = ((...parameters: number[]) => unknown) | Global | Memory;
    type Exports = Readonly<Record<string, ExportValue>>;
  }
}

export {};
