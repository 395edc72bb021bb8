/**
 * `lab`: the headless twin of the desktop app, built on the same LabService.
 *   lab train [options]                 (lab train --help)
 *   lab search [options] --grid lr=0.02,0.05 --grid epochs=10,200   (lab search --help)
 *   lab inspect FILE.pth [FILE.pth ...] [--json] [--values] [--key PATH]
 *   lab export-py FILE.pth --out model.py
 *   lab predict FILE.pth --data CSV [--x COLS] [--json | --out preds.csv]   (lab predict --help)
 *   lab step [train options | --scratch] --steps N     (lab step --help)
 *   lab graph [train options | --scratch]               (lab graph --help)
 *   lab lessons; lab lesson ID|FILE.json [--check]
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { CheckpointInfo, Evaluation, Predictions, RunSummary } from '../shared/api'
import type { GraphRequestInput, GraphResult, LessonCheckReport, StepTrace } from '../shared/learning'
import { cvResultsColumns } from '../shared/cvResults'
import { labError, toErrorInfo, type LabErrorInfo } from '../shared/errors'
import type { StateDictJson } from '../shared/schemas'
import { writeJson } from './cli/jsonStream'
import { progressBar } from './cli/progress'
import { SEARCH_HELP, searchConfigFromArgv } from './cli/searchArgs'
import { parseTrainArgv, TRAIN_HELP, trainRequestFromArgs } from './cli/trainArgs'
import { GRAPH_HELP, graphRequestFromArgv, STEP_HELP, stepRequestFromArgv } from './cli/stepArgs'
import { LESSON_HELP, lessonArgv } from './cli/lessonArgs'
import { PREDICT_HELP, predictRequestFromArgv } from './cli/predictArgs'
import { LabService, readTextFile } from './lab/service'

const EXIT = { ok: 0, failed: 1, badInput: 2, diverged: 3 } as const
/** above this many parameters `--json` leaves the weights out (megabytes of numbers) unless --weights asks */
const INLINE_PARAMETERS = 100_000
const resourcesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources')
const newService = () => new LabService({ resourcesDir, settingsDir: process.env.TORCHLAB_CONFIG_DIR })

async function readInit(path: string): Promise<StateDictJson> {
  const text = await readTextFile(path, { missing: 'weights file', kind: 'a JSON weights file' })
  try {
    const value: unknown = JSON.parse(text)
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object')
    return value as StateDictJson
  } catch {
    throw labError('INVALID_ARGUMENT', `${path} is not a JSON object of {name: nested arrays}, such as {"linear.weight": [[0.5]], "linear.bias": [0.1]}.`)
  }
}

function metricsOf(evaluation: Evaluation | undefined) {
  if (!evaluation) return null
  return evaluation.regression ?? evaluation.classification ?? null
}

const parameterCount = (summary: RunSummary) => summary.parameters.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)

function report(summary: RunSummary, withWeights: boolean, train?: Evaluation, validation?: Evaluation) {
  const weights = withWeights || parameterCount(summary) <= INLINE_PARAMETERS
  return {
    status: summary.status,
    backend: summary.backend,
    engine: summary.engine,
    epochs: summary.epochsCompleted,
    steps: summary.steps,
    seconds: summary.seconds,
    loss_history: summary.lossHistory,
    val_loss_history: summary.valLossHistory,
    final_loss: summary.finalLoss,
    state_dict: weights ? summary.stateDict : null,
    ...(weights ? {} : { state_dict_omitted: `${parameterCount(summary).toLocaleString('en')} parameters: add --weights to print them, or --out FILE.pth to save them.` }),
    metrics: metricsOf(train),
    val_metrics: metricsOf(validation),
    ols: train?.ols ? { coef: train.ols.coef, intercept: train.ols.intercept } : null,
    divergence: summary.divergence ?? null,
    error: summary.error ?? null,
  }
}

function printHuman(summary: RunSummary, train?: Evaluation): void {
  const out = process.stdout
  out.write(`TorchLab — ${summary.engine} engine on the ${summary.backend} backend\n`)
  out.write(`${summary.status}: ${summary.epochsCompleted} epochs, ${summary.steps} steps in ${summary.seconds.toFixed(2)} s\n`)
  if (summary.finalLoss !== null) out.write(`final epoch loss: ${summary.finalLoss.toPrecision(6)}\n`)
  if (summary.divergence) out.write(`${summary.divergence.message}\n`)
  if (summary.error) out.write(`${summary.error.message}\n`)
  const small = parameterCount(summary) <= 20
  if (small && summary.status !== 'failed') for (const [name, value] of Object.entries(summary.stateDict)) out.write(`  ${name} = ${JSON.stringify(value)}\n`)
  if (train?.regression) out.write(`train R² ${train.regression.r2.toFixed(4)}  MSE ${train.regression.mse.toFixed(4)}  MAE ${train.regression.mae.toFixed(4)}\n`)
  if (train?.classification) out.write(`train accuracy ${train.classification.accuracy.toFixed(4)}\n`)
  if (train?.ols) out.write(`least squares: coef ${train.ols.coef.map((c) => c.toFixed(6)).join(', ')}  intercept ${train.ols.intercept.toFixed(6)}\n`)
}

async function train(argv: string[]): Promise<number> {
  const args = parseTrainArgv(argv)
  if (args.help) {
    process.stdout.write(TRAIN_HELP)
    return EXIT.ok
  }
  const initIsJson = args.init !== undefined && args.init.toLowerCase().endsWith('.json')
  if (args.key !== undefined && (args.init === undefined || initIsJson)) throw labError('INVALID_ARGUMENT', '--key picks a state_dict inside a .pth file: use it with --init FILE.pth.')
  const request = {
    ...trainRequestFromArgs(args),
    ...(args.init && initIsJson ? { init: await readInit(args.init) } : {}),
    ...(args.init && !initIsJson ? { initFrom: args.init, ...(args.key !== undefined ? { initKey: args.key } : {}) } : {}),
  }
  const service = newService()
  try {
    const { runId, optimizerNote } = await service.startTraining(request)
    if (optimizerNote && !args.json) process.stdout.write(`${optimizerNote}\n`)
    const bar = !args.json && process.stderr.isTTY ? progressBar(process.stderr) : undefined
    let lastLoss: number | undefined
    service.onEvent((event) => {
      if (event.type !== 'progress' || !bar) return
      lastLoss = event.trainLoss ?? lastLoss
      bar.update(event.step, event.totalSteps, event.epoch, request.train.epochs, lastLoss, event.elapsedSeconds)
    })
    const stop = (): void => void service.controlRun({ runId, action: 'stop' })
    process.once('SIGINT', stop)
    const summary = await service.waitForRun(runId)
    process.off('SIGINT', stop)
    bar?.end()
    const usable = summary.status !== 'failed' && summary.epochsCompleted > 0
    const trainEval = usable ? await service.evaluate(runId, 'train') : undefined
    const valEval = usable && summary.dataset.nVal > 0 ? await service.evaluate(runId, 'validation') : undefined
    const saved = args.out && usable ? await service.saveRun({ runId, path: args.out, kind: args.checkpoint ? 'checkpoint' : 'state_dict' }) : undefined
    if (args.json) await writeJson(process.stdout, { ...report(summary, args.weights, trainEval, valEval), optimizer_note: optimizerNote ?? null, saved: saved ?? null })
    else printHuman(summary, trainEval)
    if (saved && !args.json) process.stdout.write(`saved ${saved.path} (${saved.bytes} bytes)\n`)
    return summary.status === 'diverged' ? EXIT.diverged : summary.status === 'failed' ? EXIT.failed : EXIT.ok
  } finally {
    service.dispose()
  }
}

async function search(argv: string[]): Promise<number> {
  const { config, json, csv, exportPy, help } = searchConfigFromArgv(argv)
  if (help) {
    process.stdout.write(SEARCH_HELP)
    return EXIT.ok
  }
  if (exportPy) {
    const print = (result: { path: string }, out: NodeJS.WritableStream) => out.write(`wrote ${result.path}: python3 ${result.path} runs the search in skorch\n`)
    return command({ request: { config, path: exportPy }, json }, SEARCH_HELP, (service, request) => service.exportSearchPython(request), print)
  }
  const service = newService()
  try {
    const { searchId, fitsTotal } = await service.startSearch(config)
    const bar = !json && process.stderr.isTTY ? progressBar(process.stderr) : undefined
    service.onEvent((event) => {
      if (event.type === 'search-progress' && bar) bar.update(event.fitsDone, fitsTotal, event.fitsDone, fitsTotal, event.bestScore ?? undefined, 0)
    })
    const cancel = (): void => void service.cancelSearch(searchId)
    process.once('SIGINT', cancel)
    const summary = await service.waitForSearch(searchId)
    process.off('SIGINT', cancel)
    bar?.end()
    if (csv) await service.exportSearchCsv({ searchId, path: csv })
    const columns = cvResultsColumns(summary.cv)
    const rows = summary.rows.map((r) => ({
      params: r.params,
      ...Object.fromEntries(columns.map((c) => [c.name, c.value(r)])),
      status: r.status,
      diverged: r.diverged ?? null,
    }))
    if (json) {
      process.stdout.write(JSON.stringify({ status: summary.status, scoring: summary.scoring, seconds: summary.seconds, best_params: summary.bestParams, best_score: summary.bestScore, cv_results: rows }) + '\n')
    } else {
      process.stdout.write(`${summary.status}: ${summary.fitsDone} fits in ${summary.seconds.toFixed(2)} s, scoring ${summary.scoring}\n`)
      for (const r of [...summary.rows].sort((a, b) => (a.rankTestScore ?? 1e9) - (b.rankTestScore ?? 1e9))) {
        const score = r.status === 'diverged' ? `diverged (fold ${r.diverged!.fold}, epoch ${r.diverged!.epoch})` : r.meanTestScore === null ? r.status : `${r.meanTestScore.toFixed(4)} ± ${r.stdTestScore!.toFixed(4)}`
        process.stdout.write(`  ${String(r.rankTestScore ?? '-').padStart(3)}  ${JSON.stringify(r.params).padEnd(40)} ${score}\n`)
      }
      process.stdout.write(`best: ${JSON.stringify(summary.bestParams)} score ${summary.bestScore?.toFixed(4) ?? '—'}\n`)
    }
    return summary.status === 'failed' ? EXIT.failed : EXIT.ok
  } finally {
    service.dispose()
  }
}

const KIND_TEXT: Record<CheckpointInfo['kind'], string> = {
  state_dict: 'a state_dict',
  checkpoint: 'a general checkpoint',
  module: 'a pickled module',
  collection: 'values of its own shape',
}

/** values printed as Python prints them, without their type */
const SCALARS = new Set(['int', 'float', 'bool', 'None', 'str'])

/** what torch.load would give, as an indented tree; then the weights TorchLab takes and the model they fit */
function printCheckpoint(info: CheckpointInfo, showValues: boolean): void {
  const out = process.stdout
  out.write(`${info.path}: ${KIND_TEXT[info.kind]} (${info.format} format)\n`)
  if (info.classNames.length) out.write(`classes (read, never run): ${info.classNames.join(', ')}\n`)
  for (const node of info.tree) {
    const shown = SCALARS.has(node.type) ? node.summary : `${node.type} ${node.summary}`
    out.write(`${'  '.repeat(node.depth)}${node.depth === 0 ? 'torch.load(...)' : node.name}: ${shown}\n`)
  }
  if (info.treeOmitted) out.write(`… and ${info.treeOmitted.toLocaleString('en')} more values\n`)
  if (info.stateDicts.length > 1) out.write(`state_dicts: ${info.stateDicts.map((s) => `${s.path || '(the file)'} (${s.tensors} tensor${s.tensors === 1 ? '' : 's'})`).join(', ')}\n`)
  if (info.tensors.length) {
    out.write(`weights${info.key !== undefined ? ` (--key ${info.key})` : ''}:\n`)
    for (const t of info.tensors) out.write(`  ${t.key} ${t.dtype} [${t.shape.join(', ')}]${showValues ? ` ${JSON.stringify(t.values)}` : ''}\n`)
  }
  out.write(`model: ${info.model ? JSON.stringify(info.model) : 'not recognised'}\n  ${info.modelNote}\n`)
}

/** One file: its description, or its error as the command's error. Several: one line (or block) per file, each error beside its path. */
async function inspect(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' }, values: { type: 'boolean' }, key: { type: 'string' } }, 'inspect FILE.pth [FILE.pth ...] [--key PATH]', true)
  const service = newService()
  const showValues = values.values === true
  const options = { values: showValues, ...(values.key !== undefined ? { key: values.key } : {}) }
  try {
    if (positionals.length === 1) {
      const info = await service.openCheckpoint(positionals[0], options)
      if (values.json) process.stdout.write(JSON.stringify(info) + '\n')
      else printCheckpoint(info, showValues)
      return EXIT.ok
    }
    let exit: number = EXIT.ok
    for (const path of positionals) {
      try {
        const info = await service.openCheckpoint(path, options)
        if (values.json) process.stdout.write(JSON.stringify(info) + '\n')
        else printCheckpoint(info, showValues)
      } catch (err) {
        const error = toErrorInfo(err)
        if (values.json) process.stdout.write(JSON.stringify({ path, error }) + '\n')
        else process.stderr.write(`error: ${path}: ${error.message}\n`)
        exit = Math.max(exit, error.code === 'INTERNAL' ? EXIT.failed : EXIT.badInput)
      }
    }
    return exit
  } finally {
    service.dispose()
  }
}

function exportPy(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { out: { type: 'string' }, json: { type: 'boolean' } }, 'export-py FILE.pth --out model.py')
  if (!values.out) throw labError('INVALID_ARGUMENT', 'Say where to write the script: lab export-py FILE.pth --out model.py')
  const request = { checkpoint: positionals[0], out: String(values.out) }
  return command({ request, json: values.json === true }, 'lab export-py FILE.pth --out model.py\n', (service, r) => service.exportPython(r), (result, out) => out.write(`wrote ${result.path}\n`))
}

const fmt = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' ? Number(x.toPrecision(6)) : x))


/** What a command's arguments asked: its request (none: print the usage), and whether to answer in JSON. */
interface Parsed<Q> {
  request?: Q
  json: boolean
  help?: boolean
}

/**
 * The shape most commands share: the usage when asked (or when there is nothing to do), else
 * one call on a LabService, its answer printed as one JSON line or as text; `exit` reads the
 * exit code from the answer (a lesson whose checks fail).
 */
async function command<Q, R>(
  parsed: Parsed<Q>,
  usage: string,
  run: (service: LabService, request: Q) => Promise<R>,
  print: (result: R, out: NodeJS.WritableStream) => void,
  exit: (result: R) => number = () => EXIT.ok,
): Promise<number> {
  if (parsed.help || parsed.request === undefined) {
    process.stdout.write(usage)
    return EXIT.ok
  }
  const service = newService()
  try {
    const result = await run(service, parsed.request)
    if (parsed.json) process.stdout.write(JSON.stringify(result) + '\n')
    else print(result, process.stdout)
    return exit(result)
  } finally {
    service.dispose()
  }
}

function printTrace(trace: StepTrace, out: NodeJS.WritableStream): void {
  out.write(`initial ${fmt(trace.initial)}\n`)
  for (const s of trace.steps) {
    out.write(`epoch ${s.epoch} batch ${s.batch} rows ${fmt(s.indices)}  loss ${fmt(s.loss)}\n`)
    if (s.scratch) for (const line of Object.values(s.scratch.formulas)) out.write(`  ${line}\n`)
    else out.write(`  grads ${fmt(s.grads)}\n  after ${fmt(s.params)}\n`)
  }
  if (trace.stopped) out.write(`${trace.stopped}\n`)
}

function printGraph({ model, ...autograd }: GraphResult['autograd'] & { model: GraphResult['model'] }, out: NodeJS.WritableStream): void {
  const byId = new Map(autograd.nodes.map((n) => [n.id, n]))
  const label = (id: string): string => {
    const n = byId.get(id)!
    return n.leaf ? `${n.name} (${n.leaf.param} [${n.leaf.shape.join(', ')}])` : n.name
  }
  out.write(`loss.grad_fn = ${label(autograd.nodes[0].id)}\n`)
  for (const [from, to] of autograd.edges) out.write(`  ${label(to)}  ←  ${label(from)}\n`)
  if (model) {
    for (const l of model.layers) out.write(`(${l.name}): ${l.module}  [${l.inShape.join(', ')}] → [${l.outShape.join(', ')}]  ${l.parameterCount} parameters\n`)
    out.write(`${model.parameterCount} parameters; loss ${model.loss}\n`)
  }
}

function printPredictions(result: Predictions, out: NodeJS.WritableStream): void {
  out.write(`${result.outputs.length} rows from ${result.features.join(', ')}${result.scaled ? ' (standardised as in training)' : ''}, model in eval mode\n`)
  const shown = 20
  result.outputs.slice(0, shown).forEach((row, i) => out.write(`  ${String(i + 1).padStart(4)}  ${row.map((v) => v.toPrecision(6)).join('  ')}${result.labels ? `  ${result.labels[i]}` : ''}\n`))
  if (result.outputs.length > shown) out.write(`  … ${result.outputs.length - shown} more\n`)
  if (result.written) out.write(`wrote ${result.written}\n`)
}

const step = (argv: string[]) => command(stepRequestFromArgv(argv), STEP_HELP, (service, request) => service.stepRun(request), printTrace)

/** the autograd graph's nodes and edges with the model beside them, as one JSON object */
async function flatGraph(service: LabService, request: GraphRequestInput) {
  const { autograd, model } = await service.getGraph(request)
  return { ...autograd, model }
}

const graph = (argv: string[]) => command(graphRequestFromArgv(argv), GRAPH_HELP, flatGraph, printGraph)

const predict = (argv: string[]) => command(predictRequestFromArgv(argv), PREDICT_HELP, (service, request) => service.predict(request), printPredictions)

async function lessons(argv: string[], name: 'lessons' | 'lesson'): Promise<number> {
  const { which, check, json } = lessonArgv(argv, name)
  if (which === undefined) {
    return command({ request: {}, json }, LESSON_HELP, (service) => service.listLessons(), (list, out) => {
      for (const l of list) out.write(`${l.id.padEnd(16)} ${l.title}  (${l.lecture})\n`)
    })
  }
  if (check) {
    const printReport = (report: LessonCheckReport, out: NodeJS.WritableStream) => {
      out.write(`${report.title}: ${report.passed ? 'all checks pass' : 'some checks fail'}\n`)
      for (const c of report.checks) out.write(`  ${c.passed ? 'pass' : 'FAIL'}  ${c.label}  (got ${fmt(c.got)}, expected ${c.expected})\n`)
    }
    return command({ request: which, json }, LESSON_HELP, (service, id) => service.checkLesson(id), printReport, (report) => (report.passed ? EXIT.ok : EXIT.failed))
  }
  const load = (service: LabService, id: string) => (id.toLowerCase().endsWith('.json') ? service.loadLessonFile(id) : service.getLesson(id))
  return command({ request: which, json }, LESSON_HELP, load, (lesson, out) => {
    out.write(`${lesson.title} — ${lesson.lecture}\n\n${lesson.goal}\n\n${lesson.code.map((l) => `    ${l}`).join('\n')}\n\nTasks:\n${lesson.tasks.map((t) => `  - ${t}`).join('\n')}\n\nChecks (lab lesson ${which} --check):\n${lesson.checks.map((c) => `  - ${c.label}`).join('\n')}\n`)
  })
}

function parseCommand<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string, several = false) {
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
    if (several ? parsed.positionals.length === 0 : parsed.positionals.length !== 1) throw new Error(several ? 'expected a file' : 'expected one file')
    return parsed
  } catch (err) {
    throw labError('INVALID_ARGUMENT', `${err instanceof Error ? err.message : String(err)}. Usage: lab ${usage}`)
  }
}

function printError(error: LabErrorInfo, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify({ error }) + '\n')
  else process.stderr.write(`error: ${error.message}\n`)
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const json = rest.includes('--json')
  try {
    if (command === 'train') return await train(rest)
    if (command === 'inspect') return await inspect(rest)
    if (command === 'search') return await search(rest)
    if (command === 'export-py') return await exportPy(rest)
    if (command === 'predict') return await predict(rest)
    if (command === 'step') return await step(rest)
    if (command === 'graph') return await graph(rest)
    if (command === 'lessons' || command === 'lesson') return await lessons(rest, command)
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(
        `lab — TorchLab from a terminal\n\n${TRAIN_HELP}\n${SEARCH_HELP}\nlab inspect FILE.pth... [--json] [--values] [--key PATH]  what PyTorch files hold; --key picks a state_dict\nlab export-py FILE.pth --out model.py      the equivalent PyTorch script\n\n${PREDICT_HELP}\n${STEP_HELP}\n${GRAPH_HELP}\n${LESSON_HELP}`,
      )
      return command === undefined ? EXIT.badInput : EXIT.ok
    }
    throw labError('INVALID_ARGUMENT', `Unknown command "${command}". Try "lab train --help".`)
  } catch (err) {
    const info = toErrorInfo(err)
    printError(info, json)
    return info.code === 'INTERNAL' ? EXIT.failed : EXIT.badInput
  }
}

process.exitCode = await main(process.argv.slice(2))
