package com.neurasea.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.neurasea.model.NeuraSeaException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what Jackson says about a request body into a 400 that names the field and the reason.
 * Messages never repeat the offending value (it might be a password), only its position.
 */
final class JsonProblems {
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']{1,100})'");
  private static final Pattern JAVA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private JsonProblems() {}

  /** The failure a body that could not be read becomes. */
  static ApiFailure translate(JsonProcessingException e) {
    if (e instanceof JsonMappingException mapping) {
      return mappingProblem(mapping);
    }
    Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
    if (duplicate.find()) {
      return ApiFailure.invalid(duplicate.group(1), "appears more than once");
    }
    if (e instanceof JsonEOFException) {
      return ApiFailure.badRequest("the request body is not valid JSON: it ends too early");
    }
    return ApiFailure.badRequest("the request body is not valid JSON" + at(e.getLocation()) + expectation(e));
  }

  private static ApiFailure mappingProblem(JsonMappingException e) {
    String path = pathOf(e);
    if (e instanceof ApiJson.FieldProblem problem) {
      return ApiFailure.invalid(orBody(path), problem.reason());
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      TreeSet<String> known = new TreeSet<>();
      if (unknown.getKnownPropertyIds() != null) {
        unknown.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
      }
      return ApiFailure.invalid(orBody(path), "is not a known property; expected one of " + known);
    }
    if (e instanceof ValueInstantiationException) {
      return instantiationProblem(path, e.getCause());
    }
    if (e.getCause() instanceof NeuraSeaException platform) {
      return ApiFailure.of(platform);
    }
    if (e instanceof MismatchedInputException mismatch) {
      if (path.isEmpty()) {
        return ApiFailure.badRequest("the request body must be a JSON object");
      }
      return ApiFailure.invalid(path, "must be " + describe(mismatch.getTargetType()));
    }
    return ApiFailure.invalid(orBody(path), "has an unacceptable value");
  }

  private static ApiFailure instantiationProblem(String path, Throwable cause) {
    if (cause instanceof NeuraSeaException platform) {
      return ApiFailure.of(platform);
    }
    if (cause instanceof NullPointerException npe && npe.getMessage() != null
        && JAVA_NAME.matcher(npe.getMessage()).matches()) {
      // Records check required components with requireNonNull(value, "name").
      return ApiFailure.invalid(path.isEmpty() ? npe.getMessage() : path + "." + npe.getMessage(), "is required");
    }
    return ApiFailure.invalid(orBody(path), "is not acceptable");
  }

  /** The property path, e.g. {@code subject.kind} or {@code ipAllowList[2]}. */
  static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "of another type";
    }
    if (type.isEnum()) {
      return "one of " + Arrays.toString(type.getEnumConstants());
    }
    if (type == String.class || type == Instant.class) {
      return type == String.class ? "a string" : "an ISO-8601 timestamp string";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a JSON object";
    }
    return "of another type";
  }

  private static String orBody(String path) {
    return path.isEmpty() ? "body" : path;
  }

  /** Jackson's "was expecting ..." part: it names what the grammar wanted, never the input. */
  private static String expectation(JsonProcessingException e) {
    String original = String.valueOf(e.getOriginalMessage());
    int start = original.indexOf("was expecting");
    if (start < 0) {
      return "";
    }
    String expected = original.substring(start).lines().findFirst().orElse("");
    return expected.length() > 160 ? "" : ": " + expected;
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }
}
