/** Errors that name what failed and where (STYLE §4). */

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
