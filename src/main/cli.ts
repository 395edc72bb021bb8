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
import type { CheckpointInfo, Evaluation, Predictions, RunSummary } from '../shared/api'
import { taskFor, type GraphRequestInput, type GraphResult, type LessonCheckReport, type StepTrace } from '../shared/learning'
import { cvResultsColumns } from '../shared/cvResults'
import { LabError, labError, toErrorInfo, type LabErrorInfo } from '../shared/errors'
import { parseCommandArgs } from './cli/args'
import { startingWeights } from './cli/initArgs'
import { listenForInterrupts, type Interrupts } from './cli/interrupt'
import { abandonSave } from './cli/cutShort'
import { finiteOrWord, jsonLine, writeJson } from './cli/jsonStream'
import { savePlan } from './cli/savePlan'
import { exitWhenOutputFails } from './cli/output'
import { closest } from './cli/suggest'
import { shownValue } from './cli/shownValue'
import { shownNumber } from '../shared/shownNumber'
import { stopPoint } from '../shared/stoppedEarly'
import { progressFor } from './cli/progress'
import { SEARCH_HELP, searchConfigFromArgv } from './cli/searchArgs'
import { parseTrainArgv, TRAIN_HELP, trainRequestFromArgs } from './cli/trainArgs'
import { GRAPH_HELP, graphRequestFromArgv, STEP_HELP, stepRequestFromArgv } from './cli/stepArgs'
import { LESSON_HELP, lessonArgv } from './cli/lessonArgs'
import { PREDICT_HELP, predictRequestFromArgv } from './cli/predictArgs'
import { LabService } from './lab/service'

type SavedFile = Awaited<ReturnType<LabService['saveRun']>>

const EXIT = { ok: 0, failed: 1, badInput: 2, diverged: 3 } as const
/** above this many parameters `--json` leaves the weights out (megabytes of numbers) unless --weights asks */
const INLINE_PARAMETERS = 100_000
const resourcesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources')
const newService = () => new LabService({ resourcesDir, settingsDir: process.env.TORCHLAB_CONFIG_DIR })

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
  if (summary.finalLoss !== null) out.write(`final epoch loss: ${shownNumber(summary.finalLoss)}\n`)
  if (summary.divergence) out.write(`${summary.divergence.message}\n`)
  if (summary.error) out.write(`${summary.error.message}\n`)
  const small = parameterCount(summary) <= 20
  if (small && summary.status !== 'failed') for (const [name, value] of Object.entries(summary.stateDict)) out.write(`  ${name} = ${shownValue(value)}\n`)
  if (train?.regression) out.write(`train R² ${shownNumber(train.regression.r2)}  MSE ${shownNumber(train.regression.mse)}  MAE ${shownNumber(train.regression.mae)}\n`)
  if (train?.classification) out.write(`train accuracy ${shownNumber(train.classification.accuracy)}\n`)
  if (train?.ols) out.write(`least squares: coef ${train.ols.coef.map(shownNumber).join(', ')}  intercept ${shownNumber(train.ols.intercept)}\n`)
}

async function train(argv: string[], interrupts: Interrupts): Promise<number> {
  const args = parseTrainArgv(argv)
  if (args.help) {
    printUsage(TRAIN_HELP)
    return EXIT.ok
  }
  if (args.checkpoint && args.out === undefined) throw labError('INVALID_ARGUMENT', '--checkpoint says what --out saves: add --out FILE.pth.')
  if (args.weights && !args.json) throw labError('INVALID_ARGUMENT', '--weights puts the state_dict into the --json report: add --json (a small model prints its weights without it).')
  const request = { ...trainRequestFromArgs(args), ...(await startingWeights(args)) }
  const service = newService()
  try {
    const { runId, optimizerNote } = await service.startTraining(request)
    interrupts.onPress((note, said) => {
      note(`${said}: stopping the run at the end of the current step…`)
      void service.controlRun({ runId, action: 'stop' })
    })
    interrupts.whenForced(() => (args.out === undefined ? 'The run was not saved.' : `Nothing was saved to ${args.out}.`))
    // a note, not a result: `lab train --init ck.pth > run.txt` keeps the run's report alone in the file
    if (optimizerNote && !args.json) process.stderr.write(`${optimizerNote}\n`)
    // on a terminal's stderr even with --json: `lab train --json > run.json` shows how far it is, and the JSON stays whole
    const bar = progressFor(process.stderr, process.env.TERM)
    let lastLoss: number | undefined
    service.onEvent((event) => {
      if (event.type !== 'progress' || !bar) return
      lastLoss = event.trainLoss ?? lastLoss
      bar.update(event.step, event.totalSteps, `epoch ${event.epoch}/${request.train.epochs}${lastLoss === undefined ? '' : ` loss ${shownNumber(lastLoss)}`} ${event.elapsedSeconds.toFixed(1)} s`)
    })
    const summary = await service.waitForRun(runId)
    interrupts.onPress((note, said) => note(`${said}: the run has ended; finishing its report${args.out ? ` and the save of ${args.out}` : ''} first (${said} again quits at once).`))
    bar?.end()
    const usable = summary.status !== 'failed' && summary.epochsCompleted > 0
    // a split the metrics refuse (R² of one row) costs the run nothing: the sentence stands in the metrics' place
    const refused: string[] = []
    const evaluate = (split: 'train' | 'validation') =>
      service.evaluate(runId, split).catch((err: unknown) => {
        if (!LabError.is(err)) throw err
        refused.push(err.message)
        return undefined
      })
    const trainEval = usable ? await evaluate('train') : undefined
    const valEval = usable && summary.dataset.nVal > 0 ? await evaluate('validation') : undefined
    // a run stopped part way is not what --out asked for: the file there (if any) stays as it was
    // a save the system refuses does not cost the run: its report is printed all the same
    const out = args.out
    const plan = out === undefined ? undefined : savePlan(summary, out)
    const saving = plan?.save ? service.saveRun({ runId, path: out!, kind: args.checkpoint ? 'checkpoint' : 'state_dict' }) : undefined
    if (saving) interrupts.whenForced(() => abandonSave(out!))
    const saved: { result?: SavedFile; error?: LabErrorInfo } | undefined = await saving?.then(
      (result) => ({ result }),
      (err: unknown) => ({ error: toErrorInfo(err) }),
    )
    if (saved) interrupts.whenForced(() => (saved.result ? `${saved.result.path} is saved whole; its report was cut short.` : 'Nothing was saved.'))
    // what the file holds, or why there is none; a save the system refused says so itself
    const saveNote = saved?.error ? null : (plan?.note ?? null)
    const stopped = interrupts.stoppedBy()
    if (args.json) {
      const notes = refused.length > 0 ? { metrics_refused: refused } : {}
      await writeJson(process.stdout, { ...report(summary, args.weights, trainEval, valEval), ...notes, optimizer_note: optimizerNote ?? null, saved: saved?.result ?? null, save_error: saved?.error ?? null, save_note: saveNote })
    } else {
      printHuman(summary, trainEval)
      for (const sentence of refused) process.stdout.write(`${sentence}\n`)
      if (saved?.result) process.stdout.write(`saved ${saved.result.path} (${saved.result.bytes} bytes)\n`)
      // a run stopped by Ctrl+C says it below, with where it stopped
      if (saveNote && !(summary.status === 'stopped' && stopped)) process.stdout.write(`${saveNote}\n`)
    }
    if (saved?.error) {
      process.stderr.write(`error: ${saved.error.message}\n`)
      return saved.error.code === 'INTERNAL' ? EXIT.failed : EXIT.badInput
    }
    if (summary.status === 'stopped' && stopped) {
      process.stderr.write(`Stopped by ${stopped.said} ${stopPoint(summary)}${args.out === undefined ? '' : `; nothing was saved to ${args.out}`}.\n`)
      return stopped.exit
    }
    return summary.status === 'diverged' ? EXIT.diverged : summary.status === 'failed' ? EXIT.failed : EXIT.ok
  } finally {
    service.dispose()
  }
}

async function search(argv: string[], interrupts: Interrupts): Promise<number> {
  const { config, json, csv, exportPy, help } = searchConfigFromArgv(argv)
  if (help) {
    printUsage(SEARCH_HELP)
    return EXIT.ok
  }
  if (exportPy) {
    interrupts.whenForced(() => abandonSave(exportPy))
    const print = (result: { path: string }, out: NodeJS.WritableStream) => out.write(`wrote ${result.path}: python3 ${result.path} runs the search in skorch\n`)
    return command({ request: { config, path: exportPy }, json }, SEARCH_HELP, (service, request) => service.exportSearchPython(request), print)
  }
  const service = newService()
  try {
    const { searchId, fitsTotal } = await service.startSearch(config)
    const bar = progressFor(process.stderr, process.env.TERM)
    const started = performance.now()
    service.onEvent((event) => {
      if (event.type !== 'search-progress' || !bar) return
      const best = event.bestScore === null ? '' : ` best score ${shownNumber(event.bestScore)}`
      bar.update(event.fitsDone, fitsTotal, `fit ${event.fitsDone}/${fitsTotal}${best} ${((performance.now() - started) / 1000).toFixed(1)} s`)
    })
    interrupts.onPress((note, said) => {
      note(`${said}: cancelling the search…`)
      void service.cancelSearch(searchId)
    })
    interrupts.whenForced(() => (csv ? `Nothing was written to ${csv}.` : 'The search was not reported.'))
    const summary = await service.waitForSearch(searchId)
    interrupts.onPress((note, said) => note(`${said}: the search has ended; finishing its report${csv ? ` and ${csv}` : ''} first (${said} again quits at once).`))
    bar?.end()
    // a search cancelled part way is not what --csv asked for: the file there (if any) stays as it was
    const writing = csv !== undefined && summary.status !== 'cancelled' ? csv : undefined
    if (writing) interrupts.whenForced(() => abandonSave(writing))
    // a CSV the system refuses does not cost the search: its report is printed all the same
    const csvError = writing ? await service.exportSearchCsv({ searchId, path: writing }).then(() => undefined, toErrorInfo) : undefined
    const columns = cvResultsColumns(summary.cv)
    const rows = summary.rows.map((r) => ({
      params: r.params,
      ...Object.fromEntries(columns.map((c) => [c.name, c.value(r)])),
      status: r.status,
      diverged: r.diverged ?? null,
    }))
    if (json) {
      const written = csv ? { csv_written: writing && !csvError ? csv : null, csv_error: csvError ?? null } : {}
      process.stdout.write(jsonLine({ status: summary.status, scoring: summary.scoring, seconds: summary.seconds, best_params: summary.bestParams, best_score: summary.bestScore, cv_results: rows, ...written }))
    } else {
      process.stdout.write(`${summary.status}: ${summary.fitsDone} fits in ${summary.seconds.toFixed(2)} s, scoring ${summary.scoring}\n`)
      for (const r of [...summary.rows].sort((a, b) => (a.rankTestScore ?? 1e9) - (b.rankTestScore ?? 1e9))) {
        const score = r.status === 'diverged' ? `diverged (fold ${r.diverged!.fold}, epoch ${r.diverged!.epoch})` : r.meanTestScore === null ? r.status : `${shownNumber(r.meanTestScore)} ± ${shownNumber(r.stdTestScore!)}`
        process.stdout.write(`  ${String(r.rankTestScore ?? '-').padStart(3)}  ${JSON.stringify(r.params).padEnd(40)} ${score}\n`)
      }
      process.stdout.write(`best: ${JSON.stringify(summary.bestParams)} score ${summary.bestScore === null ? '—' : shownNumber(summary.bestScore)}\n`)
    }
    if (csvError) {
      process.stderr.write(`error: ${csvError.message}\n`)
      return csvError.code === 'INTERNAL' ? EXIT.failed : EXIT.badInput
    }
    const stopped = interrupts.stoppedBy()
    if (summary.status === 'cancelled' && stopped) {
      process.stderr.write(`Stopped by ${stopped.said} after ${summary.fitsDone} of ${fitsTotal} fits${csv === undefined ? '' : `; nothing was written to ${csv}`}.\n`)
      return stopped.exit
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
    for (const t of info.tensors) out.write(`  ${t.key} ${t.dtype} [${t.shape.join(', ')}]${showValues ? ` ${JSON.stringify(t.values, finiteOrWord)}` : ''}\n`)
  }
  out.write(`model: ${info.model ? JSON.stringify(info.model) : 'not recognised'}\n  ${info.modelNote}\n`)
}

/** One file: its description, or its error as the command's error. Several: one line (or block) per file, each error beside its path. */
async function inspect(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' }, values: { type: 'boolean' }, key: { type: 'string' }, help: HELP_OPTION }, 'inspect', true)
  if (values.help) {
    printUsage(INSPECT_HELP)
    return EXIT.ok
  }
  if (positionals.length === 0) throw labError('INVALID_ARGUMENT', `Name the .pth file to look into. Usage: ${INSPECT_HELP}`)
  const service = newService()
  const showValues = values.values === true
  const options = { values: showValues, ...(values.key !== undefined ? { key: values.key } : {}) }
  try {
    if (positionals.length === 1) {
      const info = await service.openCheckpoint(positionals[0], options)
      if (values.json) process.stdout.write(jsonLine(info))
      else printCheckpoint(info, showValues)
      return EXIT.ok
    }
    let exit: number = EXIT.ok
    for (const path of positionals) {
      try {
        const info = await service.openCheckpoint(path, options)
        if (values.json) process.stdout.write(jsonLine(info))
        else printCheckpoint(info, showValues)
      } catch (err) {
        const error = toErrorInfo(err)
        if (values.json) process.stdout.write(jsonLine({ path, error }))
        else process.stderr.write(`error: ${path}: ${error.message}\n`)
        exit = Math.max(exit, error.code === 'INTERNAL' ? EXIT.failed : EXIT.badInput)
      }
    }
    return exit
  } finally {
    service.dispose()
  }
}

function exportPy(argv: string[], interrupts: Interrupts): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { out: { type: 'string' }, json: { type: 'boolean', default: false }, help: HELP_OPTION }, 'export-py', true)
  if (values.help) {
    printUsage(EXPORT_HELP)
    return Promise.resolve(EXIT.ok)
  }
  if (positionals.length !== 1) throw labError('INVALID_ARGUMENT', `Name one .pth file. Usage: ${EXPORT_HELP}`)
  if (!values.out) throw labError('INVALID_ARGUMENT', `Say where to write the script. Usage: ${EXPORT_HELP}`)
  const request = { checkpoint: positionals[0], out: values.out }
  interrupts.whenForced(() => abandonSave(request.out))
  return command({ request, json: values.json }, EXPORT_HELP, (service, r) => service.exportPython(r), (result, out) => out.write(`wrote ${result.path}\n`))
}

const HELP_OPTION = { type: 'boolean', short: 'h', default: false } as const

const INSPECT_HELP = `lab inspect FILE.pth... [--json] [--values] [--key PATH]  what PyTorch files hold, as torch.load shows them
  --values      print every tensor's values     --key PATH   the state_dict to read, where the file holds several
  --json        one JSON object per file
`

const EXPORT_HELP = `lab export-py FILE.pth --out model.py [--json]   the equivalent PyTorch script
`



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
    printUsage(usage)
    return EXIT.ok
  }
  const service = newService()
  try {
    const result = await run(service, parsed.request)
    if (parsed.json) process.stdout.write(jsonLine(result))
    else print(result, process.stdout)
    return exit(result)
  } finally {
    service.dispose()
  }
}

function printTrace(trace: StepTrace, out: NodeJS.WritableStream): void {
  out.write(`initial ${shownValue(trace.initial)}\n`)
  for (const s of trace.steps) {
    out.write(`epoch ${s.epoch} batch ${s.batch} rows ${shownValue(s.indices)}  loss ${shownValue(s.loss)}\n`)
    if (s.scratch) for (const line of Object.values(s.scratch.formulas)) out.write(`  ${line}\n`)
    else out.write(`  grads ${shownValue(s.grads)}\n  after ${shownValue(s.params)}\n`)
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
  result.outputs.slice(0, shown).forEach((row, i) => out.write(`  ${String(i + 1).padStart(4)}  ${row.map(shownNumber).join('  ')}${result.labels ? `  ${result.labels[i]}` : ''}\n`))
  if (result.outputs.length > shown) out.write(`  … ${result.outputs.length - shown} more\n`)
  if (result.written) out.write(`wrote ${result.written}\n`)
}

async function step(argv: string[]): Promise<number> {
  const { request, start, json, help } = stepRequestFromArgv(argv)
  const started = request.kind === 'module' && !help ? { ...request, request: { ...request.request, ...(await startingWeights(start)) } } : request
  return command({ request: started, json, help }, STEP_HELP, (service, r) => service.stepRun(r), printTrace)
}

/** the autograd graph's nodes and edges with the model beside them, as one JSON object */
async function flatGraph(service: LabService, request: GraphRequestInput) {
  const { autograd, model } = await service.getGraph(request)
  return { ...autograd, model }
}

const graph = (argv: string[]) => command(graphRequestFromArgv(argv), GRAPH_HELP, flatGraph, printGraph)

function predict(argv: string[], interrupts: Interrupts): Promise<number> {
  const parsed = predictRequestFromArgv(argv)
  const out = parsed.request?.out
  if (out !== undefined) interrupts.whenForced(() => abandonSave(out))
  return command(parsed, PREDICT_HELP, (service, request) => service.predict(request), printPredictions)
}

async function lessons(argv: string[], name: 'lessons' | 'lesson'): Promise<number> {
  const { which, check, json, help } = lessonArgv(argv, name)
  if (help) {
    printUsage(LESSON_HELP)
    return EXIT.ok
  }
  if (which === undefined) {
    return command({ request: {}, json }, LESSON_HELP, (service) => service.listLessons(), (list, out) => {
      for (const l of list) out.write(`${l.id.padEnd(16)} ${l.title}  (${l.lecture})\n`)
    })
  }
  if (check) {
    const printReport = (report: LessonCheckReport, out: NodeJS.WritableStream) => {
      out.write(`${report.title}: ${report.passed ? 'all checks pass' : 'some checks fail'}\n`)
      for (const c of report.checks) out.write(`  ${c.passed ? 'pass' : 'FAIL'}  ${c.label}  (got ${shownValue(c.got)}, expected ${c.expected})\n`)
    }
    return command({ request: which, json }, LESSON_HELP, (service, id) => service.checkLesson(id), printReport, (report) => (report.passed ? EXIT.ok : EXIT.failed))
  }
  const load = (service: LabService, id: string) => (id.toLowerCase().endsWith('.json') ? service.loadLessonFile(id) : service.getLesson(id))
  return command({ request: which, json }, LESSON_HELP, load, (lesson, out) => {
    out.write(`${lesson.title} — ${lesson.lecture}\n\n${lesson.goal}\n\n${lesson.code.map((l) => `    ${l}`).join('\n')}\n\nTasks:\n${lesson.tasks.map((t) => `  - ${taskFor(t, 'cli')}`).join('\n')}\n\nChecks (lab lesson ${which} --check):\n${lesson.checks.map((c) => `  - ${c.label}`).join('\n')}\n`)
  })
}

function printError(error: LabErrorInfo, json: boolean): void {
  if (json) process.stdout.write(jsonLine({ error }))
  else process.stderr.write(`error: ${error.message}\n`)
}

const COMMANDS: Record<string, (argv: string[], interrupts: Interrupts) => Promise<number>> = {
  train,
  search,
  inspect,
  'export-py': exportPy,
  predict,
  step,
  graph,
  lessons: (argv) => lessons(argv, 'lessons'),
  lesson: (argv) => lessons(argv, 'lesson'),
}

const EXIT_HELP = `--json answers on stdout even when refused: {"error": {...}}; a number that is not finite (a loss that became
infinite, a NaN weight) is the string "NaN", "Infinity" or "-Infinity" there, as the text prints it.
Exit status: 0 done, 1 failed (a lesson's checks, an internal error), 2 refused (bad input, a file it could not read or save),
3 diverged, 130 stopped by Ctrl+C, 143 stopped by SIGTERM (a second Ctrl+C or SIGTERM quits at once, saving nothing half-way),
141 its output was closed (| head).
`

/** a command's usage, and what its exit status says (a script reads that first) */
function printUsage(usage: string): void {
  process.stdout.write(`${usage}\n${EXIT_HELP}`)
}

const HELP = `lab — TorchLab from a terminal\n\n${EXIT_HELP}\n${TRAIN_HELP}\n${SEARCH_HELP}\n${INSPECT_HELP}${EXPORT_HELP}\n${PREDICT_HELP}\n${STEP_HELP}\n${GRAPH_HELP}\n${LESSON_HELP}`

async function main(argv: string[], interrupts: Interrupts): Promise<number> {
  const [name, ...rest] = argv
  const json = rest.includes('--json')
  try {
    // `lab help train` is `lab train --help`, as git and npm read it
    if (name === 'help' && rest.length > 0 && Object.hasOwn(COMMANDS, rest[0])) return await COMMANDS[rest[0]](['--help'], interrupts)
    if (name === 'help' || name === '--help' || name === '-h') {
      process.stdout.write(HELP)
      return EXIT.ok
    }
    if (name === undefined) {
      // nothing asked: the usage is a message, and a script that forgot its command fails
      process.stderr.write(HELP)
      return EXIT.badInput
    }
    if (Object.hasOwn(COMMANDS, name)) return await COMMANDS[name](rest, interrupts)
    const meant = closest(name, Object.keys(COMMANDS))
    throw labError('INVALID_ARGUMENT', `lab has no command "${name}"${meant ? `; did you mean "lab ${meant}"?` : '.'} The commands: ${Object.keys(COMMANDS).join(', ')} ("lab help" shows them all).`)
  } catch (err) {
    const info = toErrorInfo(err)
    printError(info, json)
    return info.code === 'INTERNAL' ? EXIT.failed : EXIT.badInput
  }
}

/** `npm run lab` runs in the project's folder; the paths a student types are from where they typed them */
function typedFrom(folder: string | undefined): void {
  if (process.env.npm_lifecycle_event !== 'lab' || !folder) return
  try {
    process.chdir(folder)
  } catch {
    // that folder is gone: paths are then read from the project's folder, as npm left it
  }
}

typedFrom(process.env.INIT_CWD)
exitWhenOutputFails(process)
process.exitCode = await main(process.argv.slice(2), listenForInterrupts(process))
