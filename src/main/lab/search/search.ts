/**
 * A grid or random search with k-fold cross-validation, as GridSearchCV runs it: every
 * setting on every fold, scored, ranked, and the best refit on all rows. Results arrive as
 * cv_results_-style rows; a diverged fit is marked diverged, never scored −inf.
 */
import { availableParallelism } from 'node:os'
import type { LabEvent, SearchRow, SearchSummary } from '../../../shared/api'
import { cvResultsColumns } from '../../../shared/cvResults'
import { toErrorInfo } from '../../../shared/errors'
import { defaultScoring } from '../../../shared/catalog/losses'
import type { Scoring, SearchConfig, SearchParam } from '../../../shared/schemas'
import { resolveModel } from '../../../shared/modelSpec'
import { taskForLoss, type PreparedData, type Split } from '../data/dataset'
import { initialStateDict } from '../model/init'
import { stateDictToJson } from '../model/stateDict'
import type { FitJob, FitResult } from './fit'
import { kFold, stratifiedKFold, type Fold } from './folds'
import { applySetting, expandGrid, sampleSettings, sortedParams, type Params } from './grid'
import { FitPool } from './pool'
import { labError } from '../../../shared/errors'

function take(split: Split, rows: number[], d: number): Split {
  const x = new Float32Array(rows.length * d)
  const y = new Float32Array(rows.length)
  rows.forEach((r, i) => {
    x.set(split.x.subarray(r * d, r * d + d), i * d)
    y[i] = split.y[r]
  })
  return { n: rows.length, x, y }
}

/** StandardScaler fitted on the fold's training rows only, as a Pipeline would */
function standardise(train: Split, test: Split, d: number): void {
  for (let j = 0; j < d; j++) {
    let mean = 0
    for (let i = 0; i < train.n; i++) mean += train.x[i * d + j]
    mean /= train.n || 1
    let variance = 0
    for (let i = 0; i < train.n; i++) variance += (train.x[i * d + j] - mean) ** 2
    const std = Math.sqrt(variance / (train.n || 1)) || 1
    for (const s of [train, test]) for (let i = 0; i < s.n; i++) s.x[i * d + j] = (s.x[i * d + j] - mean) / std
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)))

export class SearchRun {
  private readonly rows: SearchRow[]
  private readonly times: number[][]
  private readonly settings: { params: Params; model: ReturnType<typeof applySetting>['model']; train: ReturnType<typeof applySetting>['train'] }[]
  private readonly folds: Fold[]
  private readonly pool: FitPool
  private readonly started = performance.now()
  private status: SearchSummary['status'] = 'running'
  private fitsDone = 0
  private refit?: SearchSummary['refit']
  private error?: SearchSummary['error']
  private readonly done: Promise<SearchSummary>
  readonly scoring: Scoring
  readonly fitsTotal: number
  private readonly varying: SearchParam[]

  constructor(
    readonly searchId: string,
    private readonly config: SearchConfig,
    private readonly data: PreparedData,
    private readonly emit: (event: LabEvent) => void,
  ) {
    const task = data.summary.task
    this.scoring = config.scoring ?? defaultScoring(config.train.loss)
    if (task === 'regression' && this.scoring === 'accuracy') throw labError('INVALID_ARGUMENT', 'Accuracy scores classifiers; for regression use r2 or neg_mean_squared_error.')
    if (task !== 'regression' && this.scoring !== 'accuracy') throw labError('INVALID_ARGUMENT', `${this.scoring} scores regression; for a classifier use accuracy.`)
    const params = config.random ? sampleSettings(config.grid, config.random.nIter, config.random.seed) : expandGrid(config.grid)
    this.settings = params.map((p) => ({ params: p, ...applySetting(config.model, config.train, p) }))
    for (const s of this.settings) {
      if (taskForLoss(s.train.loss) !== task) throw labError('INVALID_ARGUMENT', `A search cannot mix ${s.train.loss} with losses of another kind of task.`)
    }
    this.varying = sortedParams(config.grid).filter((k) => new Set(params.map((p) => JSON.stringify(p[k]))).size > 1)
    const n = data.train.n
    this.folds = task === 'regression' ? kFold(n, config.cv) : stratifiedKFold(data.train.y, config.cv)
    this.fitsTotal = this.settings.length * config.cv
    this.rows = this.settings.map((s, index) => ({
      index,
      params: s.params,
      splitScores: new Array<number | null>(config.cv).fill(null),
      meanTestScore: null,
      stdTestScore: null,
      rankTestScore: null,
      meanFitTime: null,
      stdFitTime: null,
      status: 'pending',
    }))
    this.times = this.settings.map(() => [])
    this.pool = new FitPool(config.nJobs ?? availableParallelism())
    this.done = this.execute()
  }

  private job(id: number, row: number, fold: number, train: Split, test: Split): FitJob {
    const s = this.settings[row]
    const d = this.data.summary.features.length
    const model = resolveModel(s.model, d, this.data.outputs)
    if (this.config.dataset.scale === 'standard') standardise(train, test, d)
    return {
      id,
      row,
      fold,
      model,
      train: s.train,
      initial: initialStateDict(model, s.train.seed + Math.max(0, fold)),
      data: { train, test, features: d },
      scoring: this.scoring,
      engine: this.config.engine,
      backend: 'auto',
    }
  }

  private onResult(result: FitResult): void {
    const row = this.rows[result.row]
    this.fitsDone++
    this.times[result.row].push(result.seconds)
    row.splitScores[result.fold] = result.score
    if (result.fold === 0) row.lossCurve = result.lossHistory
    if (result.status === 'diverged' && row.status !== 'diverged') {
      row.status = 'diverged'
      row.diverged = { fold: result.fold, epoch: result.divergence?.epoch ?? 0, message: result.divergence?.message ?? 'The loss blew up.' }
    }
    if (this.times[result.row].length === this.config.cv) {
      if (row.status !== 'diverged') {
        row.status = 'ok'
        const scores = row.splitScores as number[]
        row.meanTestScore = mean(scores)
        row.stdTestScore = std(scores)
      }
      row.meanFitTime = mean(this.times[result.row])
      row.stdFitTime = std(this.times[result.row])
      this.rank()
    }
    const best = this.best()
    this.emit({ type: 'search-progress', searchId: this.searchId, fitsDone: this.fitsDone, fitsTotal: this.fitsTotal, row, bestParams: best?.params ?? null, bestScore: best?.meanTestScore ?? null })
  }

  /** rankdata(-mean, method='min'); settings without a score (diverged, unfinished) rank last */
  private rank(): void {
    const scored = this.rows.filter((r) => r.meanTestScore !== null)
    for (const r of this.rows) {
      r.rankTestScore = r.meanTestScore === null ? scored.length + 1 : 1 + scored.filter((o) => o.meanTestScore! > r.meanTestScore!).length
    }
  }

  private best(): SearchRow | undefined {
    return this.rows.filter((r) => r.rankTestScore === 1 && r.meanTestScore !== null).sort((a, b) => a.index - b.index)[0]
  }

  private async execute(): Promise<SearchSummary> {
    const d = this.data.summary.features.length
    const jobs: FitJob[] = []
    this.settings.forEach((_, row) =>
      this.folds.forEach((fold, f) => jobs.push(this.job(jobs.length, row, f, take(this.data.train, fold.train, d), take(this.data.train, fold.test, d)))),
    )
    try {
      await this.pool.run(jobs, (r) => this.onResult(r))
      const best = this.best()
      if (this.status === 'running' && best && this.config.refit) {
        const all = Array.from({ length: this.data.train.n }, (_, i) => i)
        await this.pool.run([this.job(jobs.length, best.index, -1, take(this.data.train, all, d), take(this.data.train, [], d))], (r) => {
          this.refit = r.stateDict ? { stateDict: stateDictToJson(r.stateDict), lossHistory: r.lossHistory } : undefined
        })
      }
      if (this.status === 'running') this.status = 'completed'
    } catch (err) {
      if (this.status === 'running') {
        this.status = 'failed'
        this.error = toErrorInfo(err)
      }
    } finally {
      this.pool.cancel()
    }
    const summary = this.summary
    this.emit({ type: 'search-finished', searchId: this.searchId, summary })
    return summary
  }

  cancel(): Promise<SearchSummary> {
    if (this.status === 'running') {
      this.status = 'cancelled'
      this.pool.cancel()
    }
    return this.done
  }

  wait(): Promise<SearchSummary> {
    return this.done
  }

  get summary(): SearchSummary {
    const best = this.best()
    return {
      searchId: this.searchId,
      status: this.status,
      scoring: this.scoring,
      cv: this.config.cv,
      fitsDone: this.fitsDone,
      fitsTotal: this.fitsTotal,
      seconds: (performance.now() - this.started) / 1000,
      rows: structuredClone(this.rows),
      varying: this.varying,
      bestIndex: best?.index ?? null,
      bestParams: best?.params ?? null,
      bestScore: best?.meanTestScore ?? null,
      refit: this.refit,
      error: this.error,
    }
  }
}

/** cv_results_ as CSV, one row per setting, sklearn's column names */
export function searchCsv(summary: SearchSummary): string {
  const keys = summary.varying.length ? summary.varying : (Object.keys(summary.rows[0]?.params ?? {}) as SearchParam[])
  const columns = cvResultsColumns(summary.cv)
  const header = [...keys.map((k) => `param_${k}`), ...columns.map((c) => c.name), 'status']
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v)
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  const lines = summary.rows.map((r) =>
    [...keys.map((k) => r.params[k]), ...columns.map((c) => c.value(r)), r.status === 'diverged' ? `diverged (fold ${r.diverged!.fold}, epoch ${r.diverged!.epoch})` : r.status]
      .map(cell)
      .join(','),
  )
  return [header.join(','), ...lines].join('\n') + '\n'
}
