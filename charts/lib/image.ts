// Container image references. Only pinned references render: a digest, or an immutable tag that is not
// `latest`. The publisher passes `<repo>@sha256:<digest>`; plain synth uses the configured tag.

const REPOSITORY =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\.[a-z0-9-]+)*(?::\d{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export class ImageReferenceError extends Error {
  constructor(reference: string, reason: string) {
    super(`invalid image reference '${reference}': ${reason}`);
    this.name = 'ImageReferenceError';
  }
}

export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  if (at >= 0) {
    const name = reference.slice(0, at);
    const digest = reference.slice(at + 1);
    if (!DIGEST.test(digest))
      throw new ImageReferenceError(reference, 'the digest must be sha256:<64 hex digits>');
    const { repository, tag } = splitTag(reference, name);
    return tag === undefined ? { repository, digest } : { repository, tag, digest };
  }
  const { repository, tag } = splitTag(reference, reference);
  if (tag === undefined)
    throw new ImageReferenceError(reference, 'needs a tag or a digest (an unpinned image is not deployable)');
  return { repository, tag };
}

function splitTag(reference: string, name: string): { repository: string; tag?: string } {
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const repository = colon >= 0 ? name.slice(0, colon) : name;
  const tag = colon >= 0 ? name.slice(colon + 1) : undefined;
  if (!REPOSITORY.test(repository)) {
    throw new ImageReferenceError(
      reference,
      `'${repository}' is not a registry/repository path in lower case`,
    );
  }
  if (tag !== undefined) {
    if (!TAG.test(tag)) throw new ImageReferenceError(reference, `'${tag}' is not a valid tag`);
    if (tag === 'latest')
      throw new ImageReferenceError(reference, "the tag 'latest' is mutable; pin a version or a digest");
  }
  return tag === undefined ? { repository } : { repository, tag };
}

/** Returns the reference unchanged once it is known to be pinned; throws otherwise. */
export function pinnedImage(reference: string): string {
  parseImageReference(reference);
  return reference;
}
