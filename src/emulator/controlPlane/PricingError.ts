/** Errors of the Price List Query API (AWS JSON 1.1): a 400 whose body names the type in `__type`. */
export class PricingError extends Error {
  readonly errorType: 'InvalidParameterException' | 'InvalidNextTokenException' | 'UnknownOperationException';

  constructor(errorType: PricingError['errorType'], message: string) {
    super(message);
    this.name = errorType;
    this.errorType = errorType;
  }
}
