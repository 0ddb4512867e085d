package com.neurasea.internal;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/** Checks jakarta.validation constraints of command records at the service boundary. */
public final class CommandValidator {
  private final Validator validator;

  /** Creates a validator that needs no expression language at run time. */
  public CommandValidator() {
    ValidatorFactory factory = Validation.byDefaultProvider()
        .configure()
        .messageInterpolator(new ParameterMessageInterpolator())
        .buildValidatorFactory();
    this.validator = factory.getValidator();
  }

  /**
   * Validates a command.
   *
   * @param name the command's parameter name, used when the command itself is null
   * @param command the command
   * @throws NeuraSeaException with {@link ErrorCode#INVALID_ARGUMENT} listing each offending field
   */
  public void validate(String name, Object command) {
    if (command == null) {
      throw NeuraSeaException.invalid(name, "must not be null");
    }
    Set<ConstraintViolation<Object>> violations = validator.validate(command);
    if (violations.isEmpty()) {
      return;
    }
    List<FieldError> errors = violations.stream()
        .map(v -> new FieldError(fieldName(v), v.getMessage()))
        .sorted(Comparator.comparing(FieldError::field).thenComparing(FieldError::message))
        .toList();
    StringBuilder message = new StringBuilder("invalid ").append(name).append(": ");
    for (int i = 0; i < errors.size(); i++) {
      message.append(i == 0 ? "" : "; ").append(errors.get(i).field()).append(' ').append(errors.get(i).message());
    }
    throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, message.toString(), errors, null);
  }

  private static String fieldName(ConstraintViolation<?> violation) {
    // Container elements render as "permissions[].<list element>"; keep the readable part.
    String path = violation.getPropertyPath().toString();
    int marker = path.indexOf(".<");
    return marker < 0 ? path : path.substring(0, marker);
  }
}
