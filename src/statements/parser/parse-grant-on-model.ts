import type { GrantOnModel, Grantee, ModelPrivilege, RevokeOnModel } from '../ast/grant-on-model.ts';
import type { QualifiedName } from '../ast/qualified-name.ts';
import { parseIdentifier, parseQualifiedName } from './parse-names.ts';
import type { TokenStream } from './token-stream.ts';

/** GRANT { EXECUTE ON MODEL m [, ...] | CREATE MODEL } TO grantee [, ...] [ WITH GRANT OPTION ] */
export function parseGrantOnModel(ts: TokenStream): GrantOnModel {
  ts.expectKeyword('grant');
  const privilege = parsePrivilege(ts);
  ts.expectKeyword('to');
  const grantees = parseGrantees(ts);
  let withGrantOption = false;
  if (ts.acceptKeyword('with')) {
    ts.expectKeyword('grant');
    ts.expectKeyword('option');
    withGrantOption = true;
  }
  ts.expectEnd();
  return { kind: 'GrantOnModel', privilege, grantees, withGrantOption };
}

/** REVOKE [ GRANT OPTION FOR ] { EXECUTE ON MODEL m [, ...] | CREATE MODEL } FROM grantee [, ...] [ CASCADE | RESTRICT ] */
export function parseRevokeOnModel(ts: TokenStream): RevokeOnModel {
  ts.expectKeyword('revoke');
  let grantOptionFor = false;
  if (ts.acceptKeyword('grant')) {
    ts.expectKeyword('option');
    ts.expectKeyword('for');
    grantOptionFor = true;
  }
  const privilege = parsePrivilege(ts);
  ts.expectKeyword('from');
  const grantees = parseGrantees(ts);
  const cascade = ts.acceptKeyword('cascade');
  if (!cascade) ts.acceptKeyword('restrict');
  ts.expectEnd();
  return { kind: 'RevokeOnModel', privilege, grantees, grantOptionFor, cascade };
}

function parsePrivilege(ts: TokenStream): ModelPrivilege {
  if (ts.acceptKeyword('create')) {
    ts.expectKeyword('model');
    return { kind: 'CreateModel' };
  }
  ts.expectKeyword('execute');
  ts.expectKeyword('on');
  ts.expectKeyword('model');
  const models: QualifiedName[] = [];
  do models.push(parseQualifiedName(ts));
  while (ts.acceptPunctuation(','));
  return { kind: 'ExecuteOnModel', models };
}

/** role | ROLE role | GROUP group | PUBLIC, comma-separated (Redshift's forms; all are roles here). */
function parseGrantees(ts: TokenStream): Grantee[] {
  const grantees: Grantee[] = [];
  do {
    if (ts.acceptKeyword('public')) {
      grantees.push({ kind: 'Public' });
      continue;
    }
    // ROLE r and GROUP g, unless "role"/"group" is itself the role's name (then a , or the end follows).
    if ((ts.isKeyword('role') || ts.isKeyword('group')) && isName(ts, 1)) ts.next();
    grantees.push({ kind: 'Role', name: parseIdentifier(ts) });
  } while (ts.acceptPunctuation(','));
  return grantees;
}

function isName(ts: TokenStream, ahead: number): boolean {
  const kind = ts.peek(ahead).kind;
  return (kind === 'identifier' && !ts.isKeyword('with', ahead)) || kind === 'quoted-identifier';
}
