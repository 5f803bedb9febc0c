import { outputNamesOf } from '../artifacts/index.ts';
import { sqlTypeKind } from '../artifacts/sql-type-kind.ts';
import { type Compilation, type CompileTarget, Unsupported } from './compile-target.ts';
import { emitBody } from './emit-body.ts';
import { type FastPath, fastPathTest, floatParameters, GUARDED, importedInputs, trainedInputs } from './function-inputs.ts';
import { classValue, importedProbabilities, importedValue, probabilitiesJson, regressionValue, single } from './function-result.ts';
import { type OnnxGraph, readGraph } from './onnx-reader.ts';
import { OPERATORS } from './operators.ts';
import { Expr } from './sql-expr.ts';
import type { Tensor } from './symbolic-tensor.ts';

/**
 * A model function's body that computes, inside PostgreSQL, what the proxy's onnxruntime path
 * (src/inference/predict-batch.ts, src/artifacts/) returns for the same arguments.
 *
 * The graph is evaluated symbolically: each tensor becomes, per row, one SQL expression per
 * column ([N, k] -> k expressions), each operator a SQL form of its onnxruntime kernel
 * (operators.ts). Only the nodes the function's result needs are evaluated, so an output the
 * proxy never reads (a ZipMap) does not stand in the way. The expressions then become a body
 * (emit-body.ts): one inlinable SELECT, or PL/pgSQL with variables for shared intermediates.
 *
 * `evaluations` may be shared by the functions of one version (f and f_probabilities: the same
 * artifact and parameters), so that each way of evaluating the graph is done once for both.
 */
export function compileModelFunction(target: CompileTarget, evaluations = new GraphEvaluations(target)): Compilation {
  try {
    const results = new Map<string, Expr>();
    const evaluate = (fast: FastPath): Expr => {
      const key = fastKey(fast);
      let result = results.get(key);
      if (result === undefined) {
        result = resultOf(target, evaluations.evaluator(fast));
        results.set(key, result);
      }
      return result;
    };
    const guarded = emitBody(evaluate(GUARDED), target.returnType);
    const floats = floatParameters(target.parameterTypes, target.ioPlan);
    if (floats.length === 0) return { body: guarded };
    // Float arguments that are not NaN and moderate in size may need fewer tests (NaN in trees,
    // overflow in float32 arithmetic): then the body tests the arguments first and takes the
    // fast path when it can (function-inputs.ts: FastPath). An assumption that does not change
    // the body is not tested.
    const bodyOf = (f: FastPath) => emitBody(evaluate(f), target.returnType).body;
    const fastest = bodyOf({ moderate: true, noNaN: true });
    if (fastest === guarded.body) return { body: guarded };
    const fast: FastPath = bodyOf({ moderate: false, noNaN: true }) === fastest
      ? { moderate: false, noNaN: true }
      : bodyOf({ moderate: true, noNaN: false }) === fastest ? { moderate: true, noNaN: false } : { moderate: true, noNaN: true };
    const when = new Expr('bool', [floats.map((n) => fastPathTest(n, fast)).join(' AND ')], true);
    return { body: emitBody(evaluate(GUARDED), target.returnType, { when, result: evaluate(fast) }) };
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
}

/**
 * One artifact's graph as a function of given parameters evaluates it: one Evaluator per
 * FastPath, made when first asked for. Compiling a tree ensemble is mostly evaluating it, and a
 * body asks for up to four ways; a classifier's two functions ask for the same ones.
 */
export class GraphEvaluations {
  private graph: OnnxGraph | null = null;
  private readonly evaluators = new Map<string, Evaluator>();

  constructor(private readonly source: Pick<CompileTarget, 'onnx' | 'ioPlan' | 'parameterTypes'>) {}

  evaluator(fast: FastPath): Evaluator {
    const key = fastKey(fast);
    let evaluator = this.evaluators.get(key);
    if (evaluator === undefined) {
      this.graph ??= readGraph(this.source.onnx);
      const inputs = this.source.ioPlan
        ? importedInputs(this.source.ioPlan, this.source.parameterTypes, fast)
        : trainedInputs(this.graph.inputNames, this.source.parameterTypes, fast);
      evaluator = new Evaluator(this.graph, inputs);
      this.evaluators.set(key, evaluator);
    }
    return evaluator;
  }
}

function fastKey(fast: FastPath): string {
  return `${fast.moderate ? 'm' : '-'}${fast.noNaN ? 'n' : '-'}`;
}

function resultOf(target: CompileTarget, graph: Evaluator): Expr {
  const plan = target.ioPlan;
  if (plan) {
    const output = plan.output;
    if (output.kind === 'label' && sqlTypeKind(target.returnType) === 'json') {
      if (!output.probabilitiesName || output.probabilitiesKind !== 'tensor') throw new Unsupported('this model gives no probabilities that modelgres can read');
      return importedProbabilities(output, graph.tensor(output.probabilitiesName));
    }
    const name = outputNamesOf(plan)[0];
    return importedValue(single(name, graph.tensor(name)), target.returnType);
  }
  if (target.problemType === 'CLUSTERING') {
    const label = single('label', graph.tensor('label'));
    return importedValue(label, target.returnType);
  }
  if (target.problemType === 'REGRESSION' || !target.classes) {
    return regressionValue(single('variable', graph.tensor('variable')), target.returnType);
  }
  if (target.output === 'probabilities') {
    const p = graph.tensor('probabilities');
    if (p.kind !== 'rows') throw new Unsupported('constant probabilities');
    return probabilitiesJson(p.cols, target.classes);
  }
  return classValue(single('label', graph.tensor('label')), target.classes, target.returnType);
}

/** Demand-driven evaluation: a tensor is computed when first asked for, from its node's inputs. */
class Evaluator {
  private readonly values = new Map<string, Tensor>();

  constructor(private readonly graph: OnnxGraph, inputs: Map<string, Tensor>) {
    for (const [name, t] of graph.constants) this.values.set(name, t);
    for (const [name, t] of inputs) this.values.set(name, t);
  }

  tensor(name: string): Tensor {
    const known = this.values.get(name);
    if (known) return known;
    const node = this.graph.producers.get(name);
    if (!node) throw new Unsupported(`the graph reads ${name}, which neither an input nor a node makes`);
    const domain = node.domain === '' ? 'ai.onnx' : node.domain;
    const operator = `the ONNX operator ${node.opType} (${domain})`;
    const handler = OPERATORS[node.key];
    if (!handler) throw new Unsupported(`${operator} has no SQL form`);
    const inputs = node.inputs.map((i) => (i === '' ? undefined : this.tensor(i)));
    let outputs: Tensor[];
    try {
      outputs = handler(node, inputs);
    } catch (e) {
      if (e instanceof Unsupported && !e.message.startsWith('the ONNX operator')) throw new Unsupported(`${operator} has no SQL form here: ${e.message}`);
      throw e;
    }
    outputs.forEach((t, i) => {
      if (node.outputs[i]) this.values.set(node.outputs[i], t);
    });
    const made = this.values.get(name);
    if (!made) throw new Unsupported(`${operator} does not make its output ${name} here`);
    return made;
  }
}
