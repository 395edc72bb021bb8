/**
 * What a run holds: a training thread on the dense engine loads no tfjs, and a finished run's
 * idle thread is let go when the next run starts, so runs one after another do not pile up
 * threads (each a heap and a module graph of its own) — yet every run can still be evaluated.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import type { TrainingRun } from '../../src/main/lab/train/run'
import { createService, ROOT } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())
/** the service's own run, to see the thread it holds */
const runOf = (runId: string): TrainingRun => (service as unknown as { runs: Map<string, { run: TrainingRun }> }).runs.get(runId)!.run

const course = {
  dataset: { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' as const },
  train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 200, batchSize: 2 },
  engine: 'dense' as const,
}

/**
 * The modules a file loads when it starts (its value imports, followed; type-only imports are
 * erased) and the ones it may load later (import() calls), as paths or package names.
 */
function moduleGraph(entry: string): { loaded: Set<string>; later: Set<string> } {
  const loaded = new Set<string>()
  const later = new Set<string>()
  const resolveFrom = (from: string, spec: string): string => {
    if (!spec.startsWith('.')) return spec
    const path = resolve(dirname(from), spec)
    return existsSync(path + '.ts') ? path + '.ts' : join(path, 'index.ts')
  }
  const visit = (file: string): void => {
    if (loaded.has(file)) return
    loaded.add(file)
    if (!file.endsWith('.ts')) return
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
    const walk = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const clause = node.importClause
        const typeOnly =
          clause &&
          (clause.isTypeOnly ||
            (!clause.name &&
              clause.namedBindings &&
              ts.isNamedImports(clause.namedBindings) &&
              clause.namedBindings.elements.every((e) => e.isTypeOnly)))
        if (!typeOnly) visit(resolveFrom(file, node.moduleSpecifier.text))
      } else if (
        ts.isExportDeclaration(node) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier) &&
        !node.isTypeOnly
      ) {
        visit(resolveFrom(file, node.moduleSpecifier.text))
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        later.add(resolveFrom(file, node.arguments[0].text))
      }
      ts.forEachChild(node, walk)
    }
    walk(source)
  }
  visit(entry)
  return { loaded, later }
}

describe('memory of a run', () => {
  it('a training thread loads tfjs only when a run asks for it', () => {
    const { loaded, later } = moduleGraph(join(ROOT, 'src/main/lab/train/worker.ts'))
    expect([...loaded].some((p) => p.endsWith('engine/dense/engine.ts'))).toBe(true)
    expect(
      [...loaded].filter(
        (p) => p.startsWith('@tensorflow/') || p.includes('/engine/tfjs/engine') || p.includes('/engine/tfjs/backend'),
      ),
    ).toEqual([])
    // the probe and the tfjs engine still reach it, when asked
    expect([...later].filter((p) => p.includes('engine/tfjs/'))).toEqual(
      expect.arrayContaining([expect.stringContaining('backend.ts'), expect.stringContaining('engine.ts')]),
    )
  })

  it('lets a finished run’s thread go when the next starts; its evaluation is unchanged, and five runs hold no more than one', async () => {
    const first = (await service.startTraining(course)).runId
    expect((await service.waitForRun(first)).status).toBe('completed')
    const before = await service.evaluate(first, 'train')
    const afterOne = process.resourceUsage().maxRSS / 1024

    const firstThread = runOf(first).thread
    expect(firstThread).toBeDefined()
    const later: string[] = []
    for (let i = 0; i < 4; i++) {
      const { runId } = await service.startTraining({
        ...course,
        train: { ...course.train, optimizer: { name: 'SGD', lr: 0.002 + i * 0.002 } },
      })
      if (i === 0) {
        // the handed-over thread has no engine for this run yet: asking it for outputs is refused, and the run goes on
        await expect(runOf(runId).predict(new Float32Array(1), 1)).rejects.toMatchObject({ info: { code: 'RUN_BUSY' } })
      }
      expect((await service.waitForRun(runId)).status).toBe('completed')
      later.push(runId)
    }
    // a thread from source holds ~50 MB; four kept would be ~200 MB more
    expect(process.resourceUsage().maxRSS / 1024 - afterOne).toBeLessThan(100)
    // one thread trained all five, handed from each run to the next: only the newest run holds it
    expect([first, ...later].map((id) => runOf(id).thread)).toEqual([undefined, undefined, undefined, undefined, firstThread])

    // the first run's thread is gone: its evaluation comes from a thread started from its final weights
    const again = await service.evaluate(first, 'train')
    expect(runOf(first).thread).toBeDefined()
    expect(runOf(first).thread).not.toBe(firstThread)
    expect(again.regression).toEqual(before.regression)
    expect(again.points).toEqual(before.points)
    // and runs evaluated one after another each answer with their own model
    const [a, b] = await Promise.all(later.slice(0, 2).map((id) => service.evaluate(id, 'train')))
    expect(a.regression!.mse).not.toBe(b.regression!.mse)
  })
})
