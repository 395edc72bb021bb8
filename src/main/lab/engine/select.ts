/**
 * Which engine runs a model. The dense engine runs every ModelSpec TorchLab builds and is
 * fastest at classroom sizes; tfjs runs when asked for and it declares the model's layers
 * (its tensorflow backend, where tfjs-node is installed, takes over automatically for models
 * too large for plain loops). Asked for a model it cannot run, tfjs's refusal says why.
 */
import type { EngineChoice } from '../../../shared/schemas'
import { parameterCount } from '../../../shared/modelSpec'
import { DenseEngine } from './dense/engine'
import type { Engine, EngineConfig } from './engine'
import type { BackendPreference } from './tfjs/backend'
import { tfjsRefusal } from './tfjs/support'

/** above this many parameters a native tensorflow backend beats JavaScript loops */
const NATIVE_WORTHWHILE = 2_000_000

async function tfjs(config: EngineConfig, backend: BackendPreference): Promise<Engine> {
  // loaded only when used: tfjs costs a worker hundreds of milliseconds to start
  const { createTfjsEngine } = await import('./tfjs/engine')
  return createTfjsEngine(config, backend)
}

export async function createEngine(config: EngineConfig, choice: EngineChoice, backend: BackendPreference): Promise<Engine> {
  if (choice === 'tfjs') return tfjs(config, backend)
  if (choice === 'auto' && parameterCount(config.model) > NATIVE_WORTHWHILE && tfjsRefusal(config.model) === null) {
    const engine = await tfjs(config, backend)
    if (engine.info.backend === 'tensorflow') return engine
    engine.dispose()
  }
  return new DenseEngine(config)
}
