/** Errors that name what failed and where, so a user can fix the input without reading the code. */

/** A configuration or spec field is missing, unknown or ill-typed. `path` is a JSON pointer or dotted key. */
export class ConfigError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}${path || '(root)'}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** A file's content does not match the checksum its card records. */
export class ChecksumError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`checksum mismatch in ${file}: card says sha256 ${expected}, file has ${actual}`);
    this.name = 'ChecksumError';
  }
}

/** An array file has the wrong shape, dtype or length. */
export class DataShapeError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DataShapeError';
  }
}

/** A file or folder the user named (spec, plugin, data folder, dataset file) does not exist. */
export class MissingFileError extends Error {
  constructor(
    readonly file: string,
    detail?: string,
  ) {
    super(`no such file: ${file}${detail ? ` (${detail})` : ''}`);
    this.name = 'MissingFileError';
  }
}

/** A file that should hold JSON does not parse. */
export class InvalidJsonError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: not valid JSON: ${reason}`);
    this.name = 'InvalidJsonError';
  }
}

/** An array file holds a value the data must not contain (NaN, ±Inf, an action outside [−1, 1]). */
export class DataValueError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DataValueError';
  }
}

/** A training loss became NaN or infinite. */
export class DivergedError extends Error {
  constructor(
    readonly step: number,
    readonly lossName: string,
    readonly value: number,
  ) {
    super(`loss ${lossName} became ${value} at update ${step}`);
    this.name = 'DivergedError';
  }
}
