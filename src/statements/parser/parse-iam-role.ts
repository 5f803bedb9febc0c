import type { IamRole } from '../ast/model-options.ts';
import type { TokenStream } from './token-stream.ts';

/** After IAM_ROLE: default | 'arn:...'. */
export function parseIamRole(ts: TokenStream): IamRole {
  if (ts.acceptKeyword('default')) return { kind: 'Default' };
  const token = ts.peek();
  if (token.kind !== 'string') throw ts.fail(undefined, "IAM_ROLE takes default or 'arn:aws:iam::<account>:role/<name>'.");
  ts.next();
  return { kind: 'Arn', arn: token.value };
}
