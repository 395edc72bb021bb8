/**
 * A grid or random search with k-fold cross-validation, as GridSearchCV runs it: every
 * setting on every fold, scored, ranked, and the best refit on all rows. Results arrive as
 * cv_results_-style rows; a diverged fit is marked diverged, never scored −inf.
 */
import type { LabEvent, SearchRow, SearchSummary } from '../../../shared/api'
import { cvResultsColumns } from '../../../shared/cvResults'
import { toErrorInfo } from '../../../shared/errors'
import { defaultScoring, LOSSES } from '../../../shared/catalog/losses'
import type { Scoring, SearchConfig, SearchParam } from '../../../shared/schemas'
import { resolveModel } from '../../../shared/modelSpec'
import { taskForLoss, type PreparedData } from '../data/dataset'
import { stateDictToJson } from '../model/stateDict'
import type { FitJob, FitResult } from './fit'
import { shareFold, shareRows, type FoldRows, type SharedRows } from './foldData'
import { kFold, stratifiedKFold, TEST_FOLD } from './folds'
import { applySetting, expandGrid, sampleSettings, sortedParams, type Params } from './grid'
import type { FitBatch, FitPool } from './pool'
import { numpyMean, requireR2Rows } from '../train/metrics'
import { csvCell } from '../data/csvCell'
import { labError } from '../../../shared/errors'

// GridSearchCV's np.average over the folds, and its std from the same mean
const mean = numpyMean
const std = (xs: number[]) => {
  const m = numpyMean(xs)
  return Math.sqrt(numpyMean(xs.map((x) => (x - m) ** 2)))
}

export class SearchRun {
  private readonly results: SearchRow[]
  private readonly times: number[][]
  private readonly settings: { params: Params; model: ReturnType<typeof applySetting>['model']; train: ReturnType<typeof applySetting>['train'] }[]
  private readonly folds: FoldRows[]
  /** the rows every fit reads, in shared memory: sent to the workers once, never per fit */
  private readonly rows: SharedRows
  private batch?: FitBatch
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
    readonly config: SearchConfig,
    private readonly data: PreparedData,
    private readonly emit: (event: LabEvent) => void,
    private readonly pool: FitPool,
  ) {
    const task = data.summary.task
    this.scoring = config.scoring ?? defaultScoring(config.train.loss)
    if (task === 'regression' && this.scoring === 'accuracy') throw labError('INVALID_ARGUMENT', 'Accuracy scores classifiers; for regression use r2 or neg_mean_squared_error.')
    if (task !== 'regression' && this.scoring !== 'accuracy') throw labError('INVALID_ARGUMENT', `${this.scoring} scores regression; for a classifier use accuracy.`)
    const params = config.random ? sampleSettings(config.grid, config.random.nIter, config.random.seed) : expandGrid(config.grid)
    this.settings = params.map((p) => ({ params: p, ...applySetting(config.model, config.train, p) }))
    for (const s of this.settings) {
      if (taskForLoss(s.train.loss) !== task) {
        // the data's task is the base loss's: name the losses that train it, so the student can fix the grid
        const fits = LOSSES.filter((l) => taskForLoss(l) === task).join(', ')
        throw labError('INVALID_ARGUMENT', `The grid's ${s.train.loss} trains a ${taskForLoss(s.train.loss)} model, and ${data.summary.target} is trained here as ${task}: search only losses for ${task} (${fits}).`)
      }
    }
    this.varying = sortedParams(config.grid).filter((k) => new Set(params.map((p) => JSON.stringify(p[k]))).size > 1)
    const n = data.train.n
    const folds = task === 'regression' ? kFold(n, config.cv) : stratifiedKFold(data.train.y, config.cv)
    if (this.scoring === 'r2') requireR2Rows(Math.min(...folds.map((f) => f.test.length)), TEST_FOLD)
    this.folds = folds.map(shareFold)
    this.rows = shareRows(data.train, data.summary.features.length)
    this.fitsTotal = this.settings.length * config.cv
    this.results = this.settings.map((s, index) => ({
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
    this.done = this.execute()
  }

  private job(id: number, row: number, fold: number, rows: FoldRows): FitJob {
    const s = this.settings[row]
    return {
      id,
      row,
      fold,
      model: resolveModel(s.model, this.rows.features, this.data.outputs),
      train: s.train,
      initSeed: s.train.seed + Math.max(0, fold),
      data: this.rows,
      rows,
      standardise: this.config.dataset.scale === 'standard',
      scoring: this.scoring,
      engine: this.config.engine,
      backend: 'auto',
    }
  }

  private onResult(result: FitResult): void {
    const row = this.results[result.row]
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

  /**
   * GridSearchCV's rank: rankdata(-mean, method='min') with a NaN score (a diverged setting) tied
   * last. A setting still running has no score yet, not a NaN one: it is not ranked.
   */
  private rank(): void {
    const scored = this.results.filter((r) => r.meanTestScore !== null)
    for (const r of this.results) {
      if (r.status === 'pending') r.rankTestScore = null
      else r.rankTestScore = r.meanTestScore === null ? scored.length + 1 : 1 + scored.filter((o) => o.meanTestScore! > r.meanTestScore!).length
    }
  }

  private best(): SearchRow | undefined {
    return this.results.filter((r) => r.rankTestScore === 1 && r.meanTestScore !== null).sort((a, b) => a.index - b.index)[0]
  }

  /** runs the jobs unless the search has ended; a cancel in between reaches the batch it ends */
  private async runBatch(jobs: FitJob[], onResult: (result: FitResult) => void): Promise<void> {
    if (this.status !== 'running') return
    this.batch = this.pool.run(jobs, onResult, this.config.nJobs)
    await this.batch.done
  }

  private async execute(): Promise<SearchSummary> {
    const jobs = this.settings.flatMap((_, row) => this.folds.map((fold, f) => this.job(row * this.folds.length + f, row, f, fold)))
    try {
      await this.runBatch(jobs, (r) => this.onResult(r))
      const best = this.best()
      if (best && this.config.refit) {
        const all = shareFold({ train: Array.from({ length: this.data.train.n }, (_, i) => i), test: [] })
        await this.runBatch([this.job(jobs.length, best.index, -1, all)], (r) => {
          this.refit = r.stateDict ? { stateDict: stateDictToJson(r.stateDict), lossHistory: r.lossHistory } : undefined
        })
      }
      if (this.status === 'running') this.status = 'completed'
    } catch (err) {
      if (this.status === 'running') {
        this.status = 'failed'
        this.error = toErrorInfo(err)
      }
    }
    const summary = this.summary
    this.emit({ type: 'search-finished', searchId: this.searchId, summary })
    return summary
  }

  cancel(): Promise<SearchSummary> {
    if (this.status === 'running') {
      this.status = 'cancelled'
      this.batch?.cancel()
    }
    return this.done
  }

  wait(): Promise<SearchSummary> {
    return this.done
  }

  get running(): boolean {
    return this.status === 'running'
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
      rows: structuredClone(this.results),
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
  const cell = (v: unknown) => csvCell(v === null || v === undefined ? '' : typeof v === 'number' ? v : Array.isArray(v) ? v.join(' ') : String(v))
  const lines = summary.rows.map((r) =>
    [...keys.map((k) => r.params[k]), ...columns.map((c) => c.value(r)), r.status === 'diverged' ? `diverged (fold ${r.diverged!.fold}, epoch ${r.diverged!.epoch})` : r.status]
      .map(cell)
      .join(','),
  )
  return [header.join(','), ...lines].join('\n') + '\n'
}
