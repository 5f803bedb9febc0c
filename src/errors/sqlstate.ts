/**
 * SQLSTATE codes modelgres sends (PostgreSQL manual, Appendix A "PostgreSQL Error Codes").
 * Named as the manual names the condition.
 */
export const SqlState = {
  successfulCompletion: '00000',
  warning: '01000',
  protocolViolation: '08P01', // protocol_violation
  connectionFailure: '08006', // connection_failure
  sqlclientUnableToEstablishSqlconnection: '08001',
  featureNotSupported: '0A000', // feature_not_supported
  invalidParameterValue: '22023', // invalid_parameter_value
  dataException: '22000',
  invalidTextRepresentation: '22P02',
  invalidAuthorizationSpecification: '28000',
  invalidTransactionState: '25000',
  syntaxError: '42601', // syntax_error
  insufficientPrivilege: '42501', // insufficient_privilege
  undefinedObject: '42704', // undefined_object
  wrongObjectType: '42809', // wrong_object_type
  undefinedFunction: '42883',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  duplicateObject: '42710', // duplicate_object
  duplicateFunction: '42723', // duplicate_function
  duplicatePreparedStatement: '42P05', // duplicate_prepared_statement
  undefinedParameter: '42P02', // undefined_parameter
  invalidFunctionDefinition: '42P13', // invalid_function_definition
  datatypeMismatch: '42804',
  objectNotInPrerequisiteState: '55000', // object_not_in_prerequisite_state
  queryCanceled: '57014', // query_canceled
  adminShutdown: '57P01',
  tooManyConnections: '53300',
  programLimitExceeded: '54000', // program_limit_exceeded
  activeSqlTransaction: '25001', // active_sql_transaction
  internalError: 'XX000', // internal_error
  dataCorrupted: 'XX001', // data_corrupted
  ioError: '58030', // io_error
} as const;

export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState];
