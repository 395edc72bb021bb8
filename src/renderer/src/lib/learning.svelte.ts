/**
 * The learning lab's window state: the open lesson and its check, a stepped trace paged through
 * on the client, the batches of the first epochs, the autograd graph and the loss landscape.
 * Every number comes from `lab`; what a phase or a batch shows comes from src/shared.
 */
import { labError, type LabErrorInfo } from '../../../shared/errors'
import { landscapeProblem, type Landscape } from '../../../shared/landscape'
import { MAX_STEPS, type GraphResult, type Lesson, type LessonCheckReport, type LessonInfo, type StepRequestInput, type StepTrace } from '../../../shared/learning'
import { lessonCode, lessonMode, type CodeLine } from '../../../shared/lessonCode'
import { epochBatches, phasesOf, type EpochBatches } from '../../../shared/stepPhases'
import type { Settings } from '../../../shared/schemas'
import { STEP_PACE, StepClock } from '../../../shared/pace'
import { lab } from './lab'
import { app, errorInfo } from './store.svelte'

export type LearningTab = 'lessons' | 'step' | 'batches' | 'graph' | 'landscape'
type LessonSource = { kind: 'bundled'; id: string } | { kind: 'file'; path: string }

/** steps fetched at once for stepping; "Run" fetches more as it reaches the end */
const STEP_CHUNK = 200
/** epochs the batch view shows, enough to see shuffle reorder them */
const BATCH_EPOCHS = 3
/** steps of the landscape path: 187 epochs of the lecture's 16 batches */
const PATH_STEPS = 3000

class LearningState {
  tab = $state<LearningTab>('lessons')

  lessons = $state<LessonInfo[]>([])
  lesson = $state<Lesson | null>(null)
  source = $state<LessonSource | null>(null)
  lessonError = $state<LabErrorInfo | null>(null)
  report = $state<LessonCheckReport | null>(null)
  checking = $state(false)
  progress = $state<NonNullable<Settings['lessonProgress']>>({})

  /** from scratch (w and b as plain tensors) or the nn.Module of the Model panel */
  mode = $state<'scratch' | 'module'>('module')
  scratch = $state({ lr: 0.001, epochs: 100 })
  trace = $state.raw<StepTrace | null>(null)
  /** the run the trace steps through, as it was asked for: later steps come from the same run, whatever the form says since */
  private traceRequest: StepRequestInput | null = null
  stepIndex = $state(0)
  phase = $state(0)
  stepError = $state<LabErrorInfo | null>(null)
  playing = $state(false)
  /** steps per second of "Let it run" */
  stepPace = $state<number>(STEP_PACE)

  batches = $state.raw<EpochBatches[]>([])
  batchEpoch = $state(1)
  batchIndex = $state(0)
  batchError = $state<LabErrorInfo | null>(null)

  graph = $state.raw<GraphResult | null>(null)
  graphError = $state<LabErrorInfo | null>(null)

  landscape = $state.raw<Landscape | null>(null)
  landscapeLr = $state(0.02)
  path = $state.raw<StepTrace | null>(null)
  /** steps of the path drawn so far: it grows step by step after each load */
  pathShown = $state(0)
  landscapeError = $state<LabErrorInfo | null>(null)

  get phases() {
    return phasesOf(this.trace?.kind ?? this.mode)
  }

  async loadLessons(): Promise<void> {
    this.lessons = await lab.listLessons()
    this.progress = (await lab.getSettings()).lessonProgress ?? {}
    await this.joinRunningCheck()
  }

  /**
   * A check the lab is still running when the window opens (it was started before a reload, or in
   * another window): its lesson opens with Checking…, and its report comes here when it ends.
   */
  private async joinRunningCheck(): Promise<void> {
    const which = await lab.lessonCheckRunning()
    if (which === null || this.lesson) return
    await (this.lessons.some((l) => l.id === which) ? this.openLesson(which) : this.openLessonFile(which))
    // the lab joins a request for the lesson it is checking to that check: no second one starts beside it
    await this.check()
  }

  async openLesson(id: string): Promise<void> {
    await this.show({ kind: 'bundled', id }, () => lab.getLesson(id))
  }

  async openLessonFile(path: string): Promise<void> {
    await this.show({ kind: 'file', path }, () => lab.loadLessonFile(path))
  }

  private async show(source: LessonSource, load: () => Promise<Lesson>): Promise<void> {
    // other data chosen while the lesson loads is the student's later choice: the lesson's data does not replace it
    const asked = app.dataMark()
    try {
      const lesson = await load()
      this.lessonError = null
      this.report = null
      // the settings before the lesson itself: its code is drawn with them, and never with the previous lesson's
      this.applySettings(lesson)
      this.lesson = lesson
      this.source = source
      await this.loadData(lesson, asked)
    } catch (err) {
      this.lessonError = errorInfo(err)
    }
  }

  /** every setting the lesson's lecture fixes, through the store the other panels read */
  private applySettings(lesson: Lesson): void {
    const { data, model, train } = lesson.setup
    app.applyLecture(model, train, data)
    this.mode = lessonMode(lesson)
    const first = lesson.runs[0]
    if (first.kind === 'scratch') this.scratch = { lr: first.scratch?.lr ?? 0.001, epochs: first.scratch?.epochs ?? 100 }
    this.resetSteps()
  }

  /** the lesson's data; its loss after the preview, which suggests one for the data set it reads. Neither when other data was chosen since `mark`. */
  private async loadData(lesson: Lesson, mark: number): Promise<void> {
    const { data, train } = lesson.setup
    if (!(await app.openDataset(data, mark))) return
    app.loss = train.loss
    await app.prepare()
  }

  /** "Reset to the lecture": the open lesson's setup, its data included; the course's DataLoader lecture when no lesson is open */
  async resetToLecture(): Promise<void> {
    const lesson = this.lesson
    if (!lesson) return app.resetToLecture()
    const asked = app.dataMark()
    this.applySettings(lesson)
    await this.loadData(lesson, asked)
  }

  /** what "Reset to the lecture" goes back to, as its button's tooltip says it */
  get lectureShown(): string {
    return this.lesson ? `the lesson “${this.lesson.title}”: its data and every setting it fixes` : 'cars.csv, wt → mpg, and every setting of the lecture'
  }

  /**
   * The open lesson's code with the window's settings in it. Its own loop decides which: the
   * from-scratch code carries the scratch loop's lr and epochs whichever loop the Step view steps.
   */
  get lessonCode(): CodeLine[] {
    const lesson = this.lesson
    if (!lesson) return []
    const scratch = lessonMode(lesson) === 'scratch'
    return lessonCode(lesson.code, {
      lr: scratch ? this.scratch.lr : app.optimizer.lr,
      epochs: scratch ? this.scratch.epochs : app.epochs,
      batchSize: app.batchSize,
      shuffle: app.shuffle,
      dropLast: app.dropLast,
    })
  }

  async check(): Promise<void> {
    if (!this.source) return
    this.checking = true
    try {
      this.report = await lab.checkLesson(this.source.kind === 'bundled' ? this.source.id : this.source.path)
      this.lessonError = null
      this.progress = (await lab.getSettings()).lessonProgress ?? {}
    } catch (err) {
      this.lessonError = errorInfo(err)
    } finally {
      this.checking = false
    }
  }

  private moduleRequest(steps: number, lr?: number): StepRequestInput {
    const train = app.trainConfig()
    return {
      kind: 'module',
      request: { dataset: app.datasetSpec(), model: $state.snapshot(app.arch), train: lr === undefined ? train : { ...train, optimizer: { ...train.optimizer, lr } } },
      steps,
    }
  }

  private stepRequest(steps: number): StepRequestInput {
    if (this.mode === 'module') return this.moduleRequest(steps)
    return { kind: 'scratch', request: { dataset: app.datasetSpec(), lr: this.scratch.lr, epochs: this.scratch.epochs, dtype: 'float64', init: { kind: 'rand', seed: 0 } }, steps }
  }

  resetSteps(): void {
    this.playing = false
    this.trace = null
    this.traceRequest = null
    this.stepIndex = 0
    this.phase = 0
    this.stepError = null
  }

  /** a run is deterministic, so asking for more steps replays the same ones and adds the next */
  private async fetchSteps(steps: number): Promise<boolean> {
    try {
      this.traceRequest = { ...(this.traceRequest ?? this.stepRequest(steps)), steps }
      this.trace = await lab.stepRun(this.traceRequest)
      this.stepError = null
      return true
    } catch (err) {
      this.stepError = errorInfo(err)
      this.playing = false
      return false
    }
  }

  async begin(): Promise<void> {
    this.resetSteps()
    await this.fetchSteps(STEP_CHUNK)
  }

  /** the next phase; past the last phase of a step, the first of the next step */
  async next(): Promise<void> {
    if (!this.trace) return void (await this.begin())
    if (this.phase < this.phases.length - 1) return void this.phase++
    await this.nextStep()
  }

  /** the next step; before any, the first (a lesson's task says "Next step ▶▶" to a Step view not yet begun) */
  async nextStep(): Promise<boolean> {
    if (!this.trace) {
      await this.begin()
      return this.trace !== null
    }
    return this.reach(this.stepIndex + 1)
  }

  /**
   * Step `index` (0-based), or the last one there is; false when the stepped run has no step past
   * the one shown. Steps past the trace are fetched ahead of the pace that asks for them, so a
   * fast "Let it run" does not replay the run from its start every few frames.
   */
  private async reach(index: number): Promise<boolean> {
    if (!this.trace) return false
    const have = this.trace.steps.length
    if (index >= have && !this.trace.stopped) {
      const wanted = Math.min(MAX_STEPS, Math.max(index + 1, have + STEP_CHUNK, have + 2 * this.stepPace))
      if (wanted > have && !(await this.fetchSteps(wanted))) return false
    }
    const last = this.trace.steps.length - 1
    if (this.stepIndex >= last) return false
    this.stepIndex = Math.min(index, last)
    this.phase = 0
    return true
  }

  previous(): void {
    if (this.phase > 0) this.phase--
    else if (this.stepIndex > 0) {
      this.stepIndex--
      this.phase = this.phases.length - 1
    }
  }

  /** "then let it run": the steps due at the chosen pace, shown once a frame, until Pause or the run ends */
  async run(): Promise<void> {
    if (!this.trace) await this.begin()
    // a second click while the first fetched the trace: one playback, not two at twice the pace
    if (!this.trace || this.playing) return
    this.playing = true
    const clock = new StepClock()
    let before = performance.now()
    while (this.playing) {
      await new Promise((r) => requestAnimationFrame(r))
      const now = performance.now()
      const due = clock.due(now - before, this.stepPace)
      before = now
      if (due > 0 && !(await this.reach(this.stepIndex + due))) break
    }
    this.playing = false
  }

  async loadBatches(): Promise<void> {
    const rows = app.summary?.nTrain ?? 0
    // a batch size the lab refuses (0, empty) counts one step an epoch: the lab's sentence is about the batch size, not about a step count it gave
    const perEpoch = app.batchSize >= 1 ? Math.ceil(rows / app.batchSize) : 1
    try {
      const trace = await lab.stepRun(this.moduleRequest(BATCH_EPOCHS * Math.max(1, perEpoch)))
      this.batches = epochBatches(trace, rows).slice(0, BATCH_EPOCHS)
      this.batchEpoch = Math.min(this.batchEpoch, this.batches.length) || 1
      this.batchIndex = 0
      this.batchError = null
    } catch (err) {
      this.batches = []
      this.batchError = errorInfo(err)
    }
  }

  async loadGraph(): Promise<void> {
    try {
      this.graph = await lab.getGraph(this.mode === 'scratch' ? { kind: 'scratch' } : { kind: 'module', request: { dataset: app.datasetSpec(), model: $state.snapshot(app.arch), train: app.trainConfig() } })
      this.graphError = null
    } catch (err) {
      this.graph = null
      this.graphError = errorInfo(err)
    }
  }

  async loadLandscape(): Promise<void> {
    try {
      const problem = landscapeProblem({ modelKind: app.arch.kind, features: app.features, target: app.target, train: app.trainConfig(), lr: this.landscapeLr })
      if (problem) throw labError('INVALID_ARGUMENT', problem)
      const landscape = await lab.getLandscape({ dataset: app.datasetSpec() })
      const path = await lab.stepRun(this.moduleRequest(PATH_STEPS, this.landscapeLr))
      // the map and its path together: neither is drawn over the other's data
      this.landscape = landscape
      this.path = path
      this.landscapeError = null
      void this.drawPath()
    } catch (err) {
      // the error replaces what it is about: the previous model's map goes with its path
      this.landscape = null
      this.path = null
      this.landscapeError = errorInfo(err)
    }
  }

  /** the path grows over about three seconds, so the student watches the optimizer walk */
  private async drawPath(): Promise<void> {
    const path = this.path
    const total = path?.steps.length ?? 0
    const per = Math.max(1, Math.ceil(total / 90))
    for (this.pathShown = 0; this.path === path && this.pathShown < total; ) {
      await new Promise((r) => setTimeout(r, 33))
      if (this.path === path) this.pathShown = Math.min(total, this.pathShown + per)
    }
  }
}

export const learning = new LearningState()
