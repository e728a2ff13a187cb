import { z } from 'zod';
import { parseYamlWith, readYamlFile, YamlFileError, type YamlProblem } from '../yaml/parse-yaml';
import { flowsFileSchema, type FlowsFile } from './flow.schema';

export class FlowsFileError extends YamlFileError {
  constructor(problems: YamlProblem[]) {
    super('The flows file', problems);
    this.name = 'FlowsFileError';
  }
}

/** Reads and validates a flows YAML file; every problem names the file, line and field. */
export function loadFlowsFile(path: string): FlowsFile {
  return parseFlows(readYamlFile(path, (problems) => new FlowsFileError(problems)), path);
}

export function parseFlows(text: string, file = 'flows.yaml'): FlowsFile {
  return parseYamlWith(flowsFileSchema, text, file, (problems) => new FlowsFileError(problems));
}

/** The JSON Schema editors use to check a flows file as it is typed. */
export function flowsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(flowsFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
