import { ComparisonInputError } from './comparison-input-error';
import type { ComparisonMethod } from './comparison-method';

const METHOD_ID = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-v([1-9]\d*)$/;

/** Comparison methods by name and version. */
export class ComparisonMethodRegistry {
  private readonly methods = new Map<string, ComparisonMethod>();

  register(method: ComparisonMethod): this {
    const match = METHOD_ID.exec(method.id);
    if (!match || match[1] !== method.name || Number(match[2]) !== method.version) {
      throw new Error(
        `Method id "${method.id}" must be "<name>-v<version>" (${method.name}, ${method.version})`,
      );
    }
    if (this.methods.has(method.id)) throw new Error(`Method ${method.id} is already registered`);
    this.methods.set(method.id, method);
    return this;
  }

  has(id: string): boolean {
    return this.methods.has(id);
  }

  /** A method by id ("context-knn-v1"), or by name ("context-knn") for its latest version. */
  get(idOrName: string): ComparisonMethod {
    const exact = this.methods.get(idOrName);
    if (exact) return exact;
    const latest = [...this.methods.values()]
      .filter((m) => m.name === idOrName)
      .sort((a, b) => b.version - a.version)[0];
    if (latest) return latest;
    throw new ComparisonInputError(
      `Unknown comparison method "${idOrName}"; available: ${this.ids().join(', ')}`,
      { available: this.ids() },
    );
  }

  ids(): string[] {
    return [...this.methods.keys()].sort();
  }

  list(): ComparisonMethod[] {
    return this.ids().map((id) => this.methods.get(id) as ComparisonMethod);
  }
}
