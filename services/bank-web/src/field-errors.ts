import { ApiError, NetworkError } from './api.js';

/** Messages per form field, plus one for the form as a whole (`''`). */
export type FieldErrors = Record<string, string>;

// Problems without a field list still concern one field; the API names them by type.
const FIELD_OF_PROBLEM: Record<string, string> = {
  'insufficient-funds': 'amount',
  'same-account': 'toAccountId',
  'currency-mismatch': 'toAccountId',
  'unsupported-currency': 'currency',
};

/**
 * Places an error next to the field it is about: a validation problem's `errors[].path` names the
 * field, other problems map by type (`fieldOfProblem` adds a form's own: a transfer's 404 is about
 * the destination, the source being one of the customer's own accounts); anything else is shown for the whole form. `fields` are the
 * form's field names, so a path the form does not show is never lost.
 */
export function fieldErrorsOf(
  error: unknown,
  fields: readonly string[],
  fieldOfProblem: Record<string, string> = {},
): FieldErrors {
  if (error instanceof ApiError) {
    const out: FieldErrors = {};
    for (const item of error.problem.errors ?? []) {
      const field = item.path.split('.')[0] ?? '';
      if (fields.includes(field)) out[field] = `${capitalise(item.message)}.`;
      else out[''] = error.problem.detail;
    }
    const field = fieldOfProblem[error.slug] ?? FIELD_OF_PROBLEM[error.slug];
    if (field && fields.includes(field)) out[field] = error.problem.detail;
    if (Object.keys(out).length === 0) out[''] = error.problem.detail;
    return out;
  }
  if (error instanceof NetworkError) return { '': error.message };
  return { '': 'Something went wrong. Try again.' };
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
