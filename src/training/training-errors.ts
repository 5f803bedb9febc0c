/**
 * Bad specification or data: the caller answers it with SQLSTATE 22023 (invalid_parameter_value).
 * The message is written for the user who typed the CREATE MODEL statement.
 */
export class TrainingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingInputError';
  }
}

/** A valid request this trainer cannot serve yet: the caller answers it with 0A000. */
export class NotSupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotSupportedError';
  }
}
