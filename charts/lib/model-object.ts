import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/**
 * What a `kubernetes-models` / `@kubernetes-models/*` instance offers: typed fields, a JSON form and a
 * schema check. Declared structurally so charts do not depend on the models' internal base package.
 */
export interface KubernetesModel {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  toJSON(): unknown;
  validate(): void;
}

/** Raised at synth when an object does not match its schema; names the object so the fix is obvious. */
export class InvalidManifestError extends Error {
  constructor(model: KubernetesModel, cause: unknown) {
    const where = `${model.kind} ${model.metadata?.namespace ?? '(cluster)'}/${model.metadata?.name ?? '(unnamed)'}`;
    super(
      `${where} does not match the ${model.apiVersion} schema: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'InvalidManifestError';
  }
}

/**
 * A cdk8s ApiObject built from a typed model. The model is schema-validated before it joins the
 * chart, so an invalid object stops synth instead of reaching the cluster.
 */
export class ModelObject extends ApiObject {
  constructor(scope: Construct, id: string, model: KubernetesModel) {
    if (!model.metadata?.name) {
      // cdk8s would otherwise invent a hashed name, which would change whenever the construct tree does.
      throw new InvalidManifestError(model, new Error('metadata.name is required'));
    }
    try {
      model.validate();
    } catch (error) {
      throw new InvalidManifestError(model, error);
    }
    const { apiVersion, kind, ...rest } = model.toJSON() as { apiVersion: string; kind: string };
    super(scope, id, { apiVersion, kind, ...rest });
  }
}
