package com.neurasea.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.util.StdConverter;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.neurasea.model.BindingId;
import com.neurasea.model.ChannelId;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ChannelType;
import com.neurasea.model.GroupId;
import com.neurasea.routing.BreakerState;
import com.neurasea.model.HoldId;
import com.neurasea.model.Meter;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PriceId;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.RequestId;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.Role;
import com.neurasea.model.RoleId;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.UserId;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The JSON dialect of the admin API: typed identifiers as plain strings, instants as ISO-8601
 * strings, the quota enums ({@link QuotaLevel}, {@link ResetPeriod}, {@link Meter},
 * {@link UsageStatus}) as their lower-case keys (read in any case), nulls written out (Jackson's default inclusion, never changed here), and strict reading (unknown properties, duplicate keys, trailing
 * content and scalar coercions such as {@code 5} for a string are refused rather than guessed at).
 */
final class ApiJson {
  private ApiJson() {}

  /** A mapper configured for the admin API. */
  static ObjectMapper mapper() {
    JsonMapper mapper = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .addModule(new JavaTimeModule())
        .addModule(platformModule())
        .addMixIn(Role.class, RoleMixIn.class)
        .build();
    for (LogicalType type : List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Boolean,
        LogicalType.Float, LogicalType.Enum, LogicalType.DateTime)) {
      mapper.coercionConfigFor(type)
          .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
              ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, type == LogicalType.Float ? CoercionAction.TryConvert
              : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean ? CoercionAction.TryConvert
              : CoercionAction.Fail);
    }
    return mapper;
  }

  private static SimpleModule platformModule() {
    SimpleModule module = new SimpleModule("neurasea-admin-api");
    identifier(module, TenantId.class, TenantId::of, TenantId::value);
    identifier(module, UserId.class, UserId::of, UserId::value);
    identifier(module, GroupId.class, GroupId::of, GroupId::value);
    identifier(module, RoleId.class, RoleId::of, RoleId::value);
    identifier(module, BindingId.class, BindingId::of, BindingId::value);
    identifier(module, TokenId.class, TokenId::of, TokenId::value);
    identifier(module, RequestId.class, RequestId::of, RequestId::value);
    identifier(module, HoldId.class, HoldId::of, HoldId::value);
    identifier(module, PriceId.class, PriceId::of, PriceId::value);
    key(module, QuotaLevel.class, QuotaLevel::key);
    key(module, ResetPeriod.class, ResetPeriod::key);
    key(module, Meter.class, Meter::key);
    key(module, UsageStatus.class, UsageStatus::key);
    identifier(module, ChannelId.class, ChannelId::of, ChannelId::value);
    key(module, ChannelType.class, t -> t.name().toLowerCase(java.util.Locale.ROOT));
    key(module, ChannelStatus.class, t -> t.name().toLowerCase(java.util.Locale.ROOT));
    key(module, BreakerState.class, t -> t.name().toLowerCase(java.util.Locale.ROOT));
    module.addSerializer(Instant.class, new JsonSerializer<>() {
      @Override
      public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeString(value.toString());
      }
    });
    module.addDeserializer(Instant.class, new JsonDeserializer<>() {
      @Override
      public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        // Epoch numbers are refused: their unit (seconds or milliseconds) is a guess.
        String text = requireString(p);
        try {
          return Instant.parse(text);
        } catch (DateTimeException e) {
          throw new FieldProblem(p, "must be an ISO-8601 timestamp such as 2030-01-31T12:00:00Z");
        }
      }
    });
    return module;
  }

  private static <T> void identifier(SimpleModule module, Class<T> type, Function<String, T> parse,
      Function<T, String> value) {
    module.addSerializer(type, new JsonSerializer<T>() {
      @Override
      public void serialize(T id, JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeString(value.apply(id));
      }
    });
    module.addDeserializer(type, new JsonDeserializer<T>() {
      @Override
      public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String text = requireString(p);
        try {
          return parse.apply(text);
        } catch (NeuraSeaException e) {
          String reason = e.fieldErrors().isEmpty() ? "is not a well-formed identifier"
              : e.fieldErrors().get(0).message();
          throw new FieldProblem(p, reason);
        }
      }
    });
  }

  /** An enum written as its lower-case key and read by its name in any case. */
  private static <E extends Enum<E>> void key(SimpleModule module, Class<E> type, Function<E, String> key) {
    module.addSerializer(type, new JsonSerializer<E>() {
      @Override
      public void serialize(E value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeString(key.apply(value));
      }
    });
    module.addDeserializer(type, new JsonDeserializer<E>() {
      @Override
      public E deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String text = requireString(p);
        E value = parseKey(type, text);
        if (value == null) {
          throw new FieldProblem(p, "must be one of " + keys(type));
        }
        return value;
      }
    });
  }

  /** The constant of an enum named by a key in any case, or null when there is none. */
  static <E extends Enum<E>> E parseKey(Class<E> type, String text) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(text)) {
        return constant;
      }
    }
    return null;
  }

  /** The lower-case keys of an enum, comma-separated. */
  static String keys(Class<? extends Enum<?>> type) {
    return String.join(", ", Arrays.stream(type.getEnumConstants())
        .map(constant -> constant.name().toLowerCase(Locale.ROOT)).toList());
  }

  private static String requireString(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new FieldProblem(p, "must be a string");
    }
    return p.getText();
  }

  /**
   * A value of the right JSON type that is still unacceptable; carries a reason safe to show (it
   * never repeats the value). Jackson adds the property path as it unwinds.
   */
  static final class FieldProblem extends JsonMappingException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    FieldProblem(JsonParser parser, String reason) {
      super(parser, reason);
      this.reason = reason;
    }

    /** Why the value was refused. */
    String reason() {
      return reason;
    }
  }

  /** Writes a role's permissions sorted, so responses are stable. */
  abstract static class RoleMixIn {
    @JsonSerialize(converter = SortedStrings.class)
    abstract Set<String> permissions();
  }

  /** Sorts a set of strings. */
  static final class SortedStrings extends StdConverter<Set<String>, Set<String>> {
    @Override
    public Set<String> convert(Set<String> value) {
      return new TreeSet<>(value);
    }
  }
}
