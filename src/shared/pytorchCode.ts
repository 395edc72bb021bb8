/**
 * PyTorch source for a TorchLab model, loss and optimizer: shown live in the model builder and
 * written by export-py, so both say the same thing.
 */
import { denseLayers } from './modelSpec'
import type { LossName, ModelSpec, OptimizerSpec } from './schemas'

export const py = (value: unknown): string =>
  value === null || value === undefined ? 'None' : typeof value === 'boolean' ? (value ? 'True' : 'False') : JSON.stringify(value)

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
  const layers = denseLayers(model).flatMap((l) => [`nn.Linear(${l.inFeatures}, ${l.outFeatures})`, ...(l.activation ? [`nn.${l.activation}()`] : [])])
  return {
    code: `class MLP(nn.Sequential):
    """Linear layers at even indices, so the state_dict keys are 0.weight, 0.bias, 2.weight, ..."""

    def __init__(self):
        super().__init__(
${layers.map((l) => `            ${l},`).join('\n')}
        )
`,
    build: 'MLP()',
  }
}

export function optimizerCode(spec: OptimizerSpec): string {
  switch (spec.name) {
    case 'SGD':
      return `torch.optim.SGD(model.parameters(), lr=${spec.lr}, momentum=${spec.momentum}, dampening=${spec.dampening}, weight_decay=${spec.weightDecay}, nesterov=${py(spec.nesterov)})`
    case 'Adam':
    case 'AdamW':
      return `torch.optim.${spec.name}(model.parameters(), lr=${spec.lr}, betas=(${spec.betas.join(', ')}), eps=${spec.eps}, weight_decay=${spec.weightDecay})`
    case 'RMSprop':
      return `torch.optim.RMSprop(model.parameters(), lr=${spec.lr}, alpha=${spec.alpha}, eps=${spec.eps}, weight_decay=${spec.weightDecay}, momentum=${spec.momentum}, centered=${py(spec.centered)})`
  }
}

export function lossCode(loss: LossName, huberDelta: number): string {
  return loss === 'HuberLoss' ? `nn.HuberLoss(delta=${huberDelta})` : `nn.${loss}()`
}
