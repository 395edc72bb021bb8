/**
 * PyTorch source for a TorchLab model, loss and optimizer: shown live in the model builder and
 * written by export-py, so both say the same thing. Each layer's code is its module's own.
 */
import { moduleOf } from './layers'
import { placeLayers } from './modelSpec'
import type { ModelSpec } from './schemas'

export { py } from './catalog/args'
export { lossCode } from './catalog/losses'
export { optimizerCode } from './catalog/optimizers'

export function moduleCode(model: ModelSpec): { code: string; build: string } {
  if (model.kind === 'linear') {
    return {
      code: `class LinearRegressionTorch(nn.Module):
    def __init__(self, input_size=${model.inFeatures}, output_size=${model.outFeatures}):
        super().__init__()
        self.linear = nn.Linear(input_size, output_size)

    def forward(self, x):
        return self.linear(x)
`,
      build: 'LinearRegressionTorch()',
    }
  }
  const layers = placeLayers(model).map(({ layer, inFeatures }) => moduleOf(layer).code(layer, inFeatures))
  return {
    code: `class Model(nn.Sequential):
    """Layers by position, so the state_dict keys are 0.weight, 0.bias, …"""

    def __init__(self):
        super().__init__(
${layers.map((l) => `            ${l},`).join('\n')}
        )
`,
    build: 'Model()',
  }
}
