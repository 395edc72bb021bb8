/** Where each autograd node sits: rows by depth (the longest path to the loss), so every edge points up. */
import type { AutogradGraph } from '../../../shared/learning'

export interface GraphBox {
  width: number
  height: number
  gapX: number
  gapY: number
}

export interface GraphLayout {
  at: Map<string, { x: number; y: number }>
  width: number
  height: number
}

export function layoutGraph({ nodes, edges }: AutogradGraph, box: GraphBox): GraphLayout {
  const depth = new Map<string, number>(nodes.map((n) => [n.id, 0]))
  // longest paths in a DAG: as many relaxation passes as nodes settle every depth
  for (let pass = 0; pass < nodes.length; pass++) for (const [from, to] of edges) depth.set(from, Math.max(depth.get(from)!, depth.get(to)! + 1))
  const levels: string[][] = []
  for (const n of nodes) (levels[depth.get(n.id)!] ??= []).push(n.id)
  const cell = box.width + box.gapX
  const width = Math.max(1, ...levels.map((l) => l.length)) * cell
  const at = new Map<string, { x: number; y: number }>()
  levels.forEach((ids, d) => ids.forEach((id, i) => at.set(id, { x: (width - ids.length * cell) / 2 + i * cell + box.gapX / 2, y: 10 + d * (box.height + box.gapY) })))
  return { at, width, height: levels.length * (box.height + box.gapY) }
}
