import { ClientError, isClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { PreparedStatement, StatementDescription } from '../plan/prepared-statement.ts';
import type { StatementPlanner } from '../plan/statement-planner.ts';
import {
  bindComplete,
  closeComplete,
  errorResponse,
  noData,
  parameterDescription,
  parseComplete,
  readyForQuery,
  rowDescription,
} from '../protocol/backend-messages.ts';
import { decodeBinary } from '../protocol/binary-values.ts';
import { decodeBind, decodeExecute, decodeParse, decodeTarget, type BindMessage } from '../protocol/decode-frontend.ts';
import { checkFormatCodes, checkFormatCount, formatAt } from '../protocol/format-codes.ts';
import { Frontend, type TransactionStatus } from '../protocol/message-codes.ts';
import type { StatementContext } from '../session/statement-context.ts';
import type { UpstreamLink } from '../session/upstream-link.ts';
import type { ResponseTracker } from './response-tracker.ts';
import { serialize } from 'pg-protocol';
import { MAX_HELD_BYTES, SuspendedPortal } from './suspended-portal.ts';

/** The kind of work a client message hands the session (see ClientSession.exclusive). */
export type ExclusiveKind = 'simple' | 'extended' | 'sync';

/** What the client session lends the proxy's own extended-protocol statements. */
export interface ExtendedProtocolHost {
  readonly planner: StatementPlanner;
  readonly link: UpstreamLink;
  readonly tracker: ResponseTracker;
  /** Passes the client's message on to PostgreSQL. */
  forward(type: number, raw: Buffer): 'continue';
  /** Runs `task` once the upstream is idle, with the client's input held; see ClientSession. */
  exclusive(kind: ExclusiveKind, task: (signal: AbortSignal) => Promise<void>, parseName?: string): 'pause';
  writeClient(bytes: Buffer): void;
  /**
   * While set, what would be written to the client goes to `capture` instead, with `write` to
   * send a message on after all.
   */
  captureClientWrites(capture: ((bytes: Buffer, write: (bytes: Buffer) => void) => void) | null): void;
  context(signal: AbortSignal): StatementContext;
  status(): TransactionStatus;
}

/**
 * A statement the proxy prepared, with PostgreSQL's description of it once asked for, and the
 * RowDescription last sent for one of its portals, by the portal's result format codes.
 */
type Statement = {
  prepared: PreparedStatement;
  parameterTypes: number[];
  description?: StatementDescription;
  portalColumns?: { formats: string; bytes: Buffer };
};
/**
 * A bound portal: its parameters as text (binary ones decoded) and the client's result format
 * codes; once executed with a row limit, the rows still to hand out.
 */
type Portal = { statement: Statement; parameters: Array<string | null>; resultFormats: number[]; suspended?: SuspendedPortal };

/**
 * Statements and portals of the extended protocol (Parse/Bind/Describe/Execute/Close) that the
 * proxy answers itself, as JDBC, the pg package with parameters and migration tools send them:
 * ML statements and statements calling models. They live as long as PostgreSQL's own would, and
 * everything else passes through. A group that ran the client's statements before one of the
 * proxy's keeps them in its implicit transaction (see beforeTask and onSync).
 */
/** The message types PostgreSQL reads after startup (postgres.c, SocketBackend); any other is a FATAL 08P01. */
const ACCEPTED_WHEN_READY = new Uint8Array(256);
for (const type of [
  Frontend.Query, Frontend.FunctionCall, Frontend.Terminate, Frontend.Bind, Frontend.Close, Frontend.Describe, Frontend.Execute,
  Frontend.Flush, Frontend.Parse, Frontend.Sync, Frontend.CopyData, Frontend.CopyDone, Frontend.CopyFail,
]) ACCEPTED_WHEN_READY[type] = 1;

export class ProxiedStatements {
  private readonly statements = new Map<string, Statement>();
  private readonly portals = new Map<string, Portal>();
  /** The proxy made the unfinished group's implicit transaction explicit; the client's Sync ends it. */
  private groupTransaction = false;

  constructor(private readonly host: ExtendedProtocolHost) {}

  /** Whether the session must read this message whole and hand it here (Parse always is). */
  wants(type: number): boolean {
    if (type === Frontend.Sync) return this.groupTransaction || this.host.tracker.upstreamSynced;
    if (!ACCEPTED_WHEN_READY[type]) return true;
    if (this.statements.size === 0 && this.portals.size === 0) return false;
    return type === Frontend.Bind || type === Frontend.Describe || type === Frontend.Execute || type === Frontend.Close;
  }

  onMessage(type: number, body: Buffer, raw: Buffer): 'continue' | 'pause' {
    switch (type) {
      case Frontend.Parse:
        return this.onParse(body, raw);
      case Frontend.Bind:
        return this.onBind(body, raw);
      case Frontend.Describe:
        return this.onDescribe(body, raw);
      case Frontend.Execute:
        return this.onExecute(body, raw);
      case Frontend.Close:
        return this.onClose(body, raw);
      case Frontend.Sync:
        return this.onSync(raw);
      case Frontend.Flush:
        // Only a Flush with a body is routed here (see isFlushWithBody in ClientSession).
        if (body.length > 0) throw new ClientError(SqlState.protocolViolation, 'invalid message format', { severity: 'FATAL' });
        return this.host.forward(type, raw);
      default:
        // PostgreSQL would end the session for this type, but its FATAL could reach the proxy's own
        // work (a later SHOW MODEL, an Execute of its portal) rather than the client: refused here,
        // in PostgreSQL's words.
        if (!ACCEPTED_WHEN_READY[type]) {
          throw new ClientError(SqlState.protocolViolation, `invalid frontend message type ${type}`, { severity: 'FATAL' });
        }
        return this.host.forward(type, raw);
    }
  }

  /** A simple Query replaces the unnamed statement and portal in PostgreSQL; the proxy's go too. */
  forgetUnnamed(): void {
    this.statements.delete('');
    this.portals.delete('');
  }

  /** Portals end with their transaction in PostgreSQL (34000 after it); the proxy's own too. */
  onTransactionStatus(status: TransactionStatus): void {
    if (status === 'I') this.portals.clear();
  }

  /**
   * Before the proxy's own work in a group: when the client's statements already ran in the
   * group's implicit transaction, it becomes explicit, so the proxy's exchanges cannot commit it.
   */
  async beforeTask(): Promise<void> {
    if (this.host.tracker.executedSinceSync && this.host.status() === 'I' && !this.groupTransaction) {
      this.groupTransaction = await this.host.link.beginGroupTransaction();
    }
  }

  /** A failed Parse of the unnamed statement drops it in PostgreSQL (before parsing); the proxy's too. */
  onFailedParse(name: string): void {
    if (name === '') this.statements.delete('');
  }

  private onParse(body: Buffer, original: Buffer): 'continue' | 'pause' {
    const parse = decodeParse(body);
    const plan = this.host.planner.planParse(parse.query);
    const raw = plan.rewritten ? serialize.parse({ name: parse.name, text: plan.sql, types: parse.parameterTypes }) : original;
    // A new statement of the same name replaces the proxy's one, as in PostgreSQL.
    const forwardIt = (text?: string) => {
      this.statements.delete(parse.name);
      return this.host.forward(Frontend.Parse, text === undefined ? raw : serialize.parse({ name: parse.name, text, types: parse.parameterTypes }));
    };
    const statement = plan.statement;
    if (!statement) return forwardIt();
    // If it fails, it fails as this Parse would in PostgreSQL: under its name (failExtendedGroup).
    return this.host.exclusive(
      'extended',
      async () => {
        const prepared = this.host.planner.prepareExtended(statement, parse.parameterTypes);
        if (!prepared || 'forward' in prepared) {
          forwardIt(prepared?.forward);
          return;
        }
        this.statements.set(parse.name, { prepared, parameterTypes: parse.parameterTypes });
        this.host.writeClient(parseComplete());
      },
      parse.name,
    );
  }

  private onBind(body: Buffer, raw: Buffer): 'continue' | 'pause' {
    const bind = decodeBind(body);
    const statement = this.statements.get(bind.statement);
    if (!statement) {
      this.portals.delete(bind.portal);
      return this.host.forward(Frontend.Bind, raw);
    }
    const tracker = this.host.tracker;
    if (tracker.idle && !tracker.skippingUntilSync) {
      // Nothing of the client's is still to be answered upstream: BindComplete can go now, in order.
      const parameters = quickParameters(statement, bind);
      if (parameters) {
        this.portals.set(bind.portal, { statement, parameters, resultFormats: bind.resultFormats });
        this.host.writeClient(bindComplete());
        return 'continue';
      }
    }
    return this.host.exclusive('extended', async (signal) => {
      const parameters = await this.bindParameters(statement, bind, signal);
      if (bind.resultFormats.length > 1) {
        const { fields } = await this.describe(statement, signal);
        checkFormatCount(bind.resultFormats, fields?.length ?? 0, 'result');
      }
      this.portals.set(bind.portal, { statement, parameters, resultFormats: bind.resultFormats });
      this.host.writeClient(bindComplete());
    });
  }

  /**
   * The Bind's parameters as the text the statements work in. Binary ones are decoded by their
   * types — Parse's, or PostgreSQL's description of the statement where Parse left them open —
   * by the proxy where it knows the type, by PostgreSQL otherwise.
   */
  private async bindParameters(statement: Statement, bind: BindMessage, signal: AbortSignal): Promise<Array<string | null>> {
    checkFormatCodes(bind.parameterFormats);
    checkFormatCodes(bind.resultFormats);
    checkFormatCount(bind.parameterFormats, bind.parameters.length, 'parameter');
    const binary = bind.parameters.flatMap((p, i) => (p !== null && formatAt(bind.parameterFormats, i) === 1 ? [i] : []));
    const parameters = bind.parameters.map((p) => (p === null ? null : p.toString('utf8')));
    if (binary.length === 0) return parameters;
    const declared = statement.parameterTypes;
    const types = binary.some((i) => !declared[i]) ? (await this.describe(statement, signal)).parameterTypes : declared;
    const left: Array<{ index: number; typeOid: number; bytes: Buffer }> = [];
    for (const i of binary) {
      const typeOid = declared[i] || types[i] || 0;
      const bytes = bind.parameters[i]!;
      const text = decodeBinaryParameter(typeOid, bytes, i);
      if (text === null) left.push({ index: i, typeOid, bytes });
      else parameters[i] = text;
    }
    const texts = await this.host.link.textOfBinary(left);
    left.forEach((l, k) => (parameters[l.index] = texts[k]));
    return parameters;
  }

  /** PostgreSQL's description of the statement, asked once. */
  private async describe(statement: Statement, signal: AbortSignal): Promise<StatementDescription> {
    statement.description ??= await statement.prepared.describe(this.host.context(signal));
    return statement.description;
  }

  /**
   * PostgreSQL fixes a statement's columns at Parse, so the proxy asks for them once and answers
   * every later Describe itself (pgbench -M prepared describes the portal at every call); an
   * Execute whose columns have changed since fails as PostgreSQL's would (describedColumns).
   */
  private onDescribe(body: Buffer, raw: Buffer): 'continue' | 'pause' {
    const { target, name } = decodeTarget(body);
    const portal = target === 'P' ? this.portals.get(name) : undefined;
    const statement = target === 'S' ? this.statements.get(name) : portal?.statement;
    if (!statement) return this.host.forward(Frontend.Describe, raw);
    const tracker = this.host.tracker;
    if (statement.description && tracker.idle && !tracker.skippingUntilSync && this.host.status() !== 'E') {
      // Nothing of the client's is still to be answered upstream: the answer can go now, in order.
      this.answerDescribe(target, statement.description, portal, statement);
      return 'continue';
    }
    return this.host.exclusive('extended', async (signal) => {
      // The portal may have ended with its transaction meanwhile: then PostgreSQL answers.
      if (target === 'P' && this.portals.get(name) !== portal) {
        this.host.forward(Frontend.Describe, raw);
        return;
      }
      // In a failed transaction PostgreSQL refuses to describe a statement that returns rows (25P02): it is asked.
      if (this.host.status() === 'E') this.answerDescribe(target, await statement.prepared.describe(this.host.context(signal)), portal);
      else this.answerDescribe(target, await this.describe(statement, signal), portal, statement);
    });
  }

  /** `kept`: the statement whose own description this is, which keeps a portal's RowDescription for the next Describe. */
  private answerDescribe(target: 'S' | 'P', description: StatementDescription, portal: Portal | undefined, kept?: Statement): void {
    if (target === 'S') this.host.writeClient(parameterDescription(description.parameterTypes));
    const fields = description.fields;
    if (!fields) {
      this.host.writeClient(noData());
      return;
    }
    // A statement's columns are in text until a Bind says otherwise (PostgreSQL sends 0 for them); a portal's as bound.
    const formats = portal?.resultFormats ?? [];
    const encode = () => rowDescription(fields.map((f, i) => ({ ...f, format: formatAt(formats, i) })));
    if (!kept || !portal) {
      this.host.writeClient(encode());
      return;
    }
    const key = formats.join(',');
    if (kept.portalColumns?.formats !== key) kept.portalColumns = { formats: key, bytes: encode() };
    this.host.writeClient(kept.portalColumns.bytes);
  }

  private onExecute(body: Buffer, raw: Buffer): 'continue' | 'pause' {
    const { portal, maxRows } = decodeExecute(body);
    const bound = this.portals.get(portal);
    if (!bound) return this.host.forward(Frontend.Execute, raw);
    return this.host.exclusive('extended', async (signal) => {
      // The portal may have ended with its transaction meanwhile: then PostgreSQL answers.
      if (this.portals.get(portal) !== bound) {
        this.host.forward(Frontend.Execute, raw);
        return;
      }
      if (bound.suspended) {
        this.host.writeClient(bound.suspended.portion(maxRows));
        return;
      }
      const context = this.executionContext(bound.statement, signal);
      if (maxRows <= 0) {
        await bound.statement.prepared.execute(bound.parameters, context, bound.resultFormats);
        return;
      }
      const suspended = new SuspendedPortal();
      this.host.captureClientWrites((bytes, write) => suspended.collect(bytes, write));
      try {
        await bound.statement.prepared.execute(bound.parameters, context, bound.resultFormats);
      } finally {
        this.host.captureClientWrites(null);
      }
      if (suspended.overflowed) {
        throw new ClientError(SqlState.programLimitExceeded, `the result is too large for a fetch size: over ${MAX_HELD_BYTES / 1024 / 1024} MB of rows`, {
          hint: 'Read it without a fetch size (row limit), or in parts with LIMIT/OFFSET or a WHERE on a key.',
        });
      }
      bound.suspended = suspended;
      this.host.writeClient(suspended.portion(maxRows));
    });
  }

  /** The statement context of an Execute: with the columns the client was given, when it was. */
  private executionContext(statement: Statement, signal: AbortSignal): StatementContext {
    const context = this.host.context(signal);
    const fields = statement.description?.fields;
    return fields ? { ...context, describedColumns: fields } : context;
  }

  private onClose(body: Buffer, raw: Buffer): 'continue' | 'pause' {
    const { target, name } = decodeTarget(body);
    const map: Map<string, unknown> = target === 'S' ? this.statements : this.portals;
    if (!map.has(name)) return this.host.forward(Frontend.Close, raw);
    return this.host.exclusive('extended', async () => {
      // A portal may have ended with its transaction meanwhile: then PostgreSQL answers.
      if (!map.has(name)) {
        this.host.forward(Frontend.Close, raw);
        return;
      }
      map.delete(name);
      this.host.writeClient(closeComplete());
    });
  }

  /**
   * The Sync of a group whose implicit transaction the proxy made explicit: commit it, or roll it
   * back after an error, and answer ReadyForQuery as PostgreSQL would for the implicit one.
   */
  private onSync(raw: Buffer): 'continue' | 'pause' {
    const tracker = this.host.tracker;
    if (!this.groupTransaction && tracker.upstreamSynced && tracker.idle && !tracker.skippingUntilSync) {
      // The proxy's own statements ended with a Sync of theirs: PostgreSQL would only say ReadyForQuery again.
      tracker.executedSinceSync = false;
      this.onTransactionStatus(this.host.status());
      this.host.writeClient(readyForQuery(this.host.status()));
      return 'continue';
    }
    if (!this.groupTransaction) return this.host.forward(Frontend.Sync, raw);
    return this.host.exclusive('sync', async () => {
      try {
        await this.host.link.endGroupTransaction();
      } catch (error) {
        if (!isClientError(error)) throw error;
        this.host.writeClient(errorResponse(error));
      } finally {
        this.groupTransaction = false;
        this.host.tracker.skippingUntilSync = false;
        this.host.tracker.executedSinceSync = false;
      }
      this.onTransactionStatus(this.host.status());
      this.host.writeClient(readyForQuery(this.host.status()));
    });
  }
}

/**
 * The Bind's parameters as text when they can be had at once: binary ones of types known without
 * asking PostgreSQL, and at most one result format code (more are checked against the columns).
 * null: the Bind waits its turn (bindParameters), which also reports its errors in order.
 */
function quickParameters(statement: Statement, bind: BindMessage): Array<string | null> | null {
  if (bind.resultFormats.length > 1) return null;
  try {
    checkFormatCodes(bind.parameterFormats);
    checkFormatCodes(bind.resultFormats);
    checkFormatCount(bind.parameterFormats, bind.parameters.length, 'parameter');
    const types = statement.parameterTypes;
    const known = statement.description?.parameterTypes ?? [];
    const parameters: Array<string | null> = [];
    for (const [i, p] of bind.parameters.entries()) {
      if (p === null || formatAt(bind.parameterFormats, i) === 0) {
        parameters.push(p === null ? null : p.toString('utf8'));
        continue;
      }
      const text = decodeBinaryParameter(types[i] || known[i] || 0, p, i);
      if (text === null) return null;
      parameters.push(text);
    }
    return parameters;
  } catch {
    return null;
  }
}

/** decodeBinary, with PostgreSQL's words for a parameter its type cannot read (22P03). */
function decodeBinaryParameter(typeOid: number, bytes: Buffer, index: number): string | null {
  try {
    return decodeBinary(typeOid, bytes);
  } catch (error) {
    if (!isClientError(error)) throw error;
    throw new ClientError(error.code, `incorrect binary data format in bind parameter ${index + 1}`);
  }
}
